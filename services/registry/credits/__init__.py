"""Credits issued on this platform: serialized credit blocks and how they move."""
