"""Carbon-neutrality certificates: the signed credential and its printable forms."""
