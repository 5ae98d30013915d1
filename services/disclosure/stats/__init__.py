"""Platform-wide statistics computed from the read model."""
