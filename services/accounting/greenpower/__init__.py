"""Green electricity counted once: each certificate reference zeroes one event's purchased electricity."""
