"""Implementation plans: boundary, estimated emissions, reduction measures and planned offsets."""
