"""The registry service: accounts, credit blocks, retirements, cancellations and the tamper-evident log."""
