"""Chat platform adapters: each turns one platform's traffic into neutral events."""
