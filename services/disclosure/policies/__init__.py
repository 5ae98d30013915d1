"""Policy documents and notices published by the regulator, versioned."""
