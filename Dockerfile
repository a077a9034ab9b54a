# Hatbot: a slim, non-root image. Mount the config at /config/hatbot.toml and keep
# state in /data. In the config, listen on all interfaces: [web] host = "0.0.0.0".
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md constraints.txt ./
COPY bot ./bot
COPY adapters ./adapters
COPY skills ./skills
COPY storage ./storage
RUN pip install --no-cache-dir --prefix=/install -c constraints.txt .

FROM python:3.11-slim
RUN useradd --system --uid 10001 --create-home --home-dir /data hatbot
COPY --from=build /install /usr/local
USER 10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8080/healthz', timeout=4)"]
ENTRYPOINT ["hatbot"]
CMD ["run", "--config", "/config/hatbot.toml"]
