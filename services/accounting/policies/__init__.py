"""Policy profiles: each jurisdiction's rules for carbon-neutral large events, as versioned data."""
