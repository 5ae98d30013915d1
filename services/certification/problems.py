"""The certification service's own problem types: each a subclass of the shared hierarchy with a stable slug."""

from __future__ import annotations

from shared.problems import BadGateway, Conflict, NotFound, ServiceUnavailable


class ChecksNotPassed(Conflict):
    """An approval was asked for while a required check fails."""

    slug, title = "checks-not-passed", "Not every required check passes"


class ApplicationDecided(Conflict):
    """The application was already approved or rejected."""

    slug, title = "application-decided", "The application was already decided"


class AlreadyCertified(Conflict):
    """The event already holds a valid certificate."""

    slug, title = "already-certified", "The event already holds a valid certificate"


class AlreadyRevoked(Conflict):
    """The certificate was revoked before; revocation is final."""

    slug, title = "already-revoked", "The certificate is already revoked"


class NotInSample(Conflict):
    """A finding names a certificate the audit round did not draw."""

    slug, title = "not-in-sample", "The certificate is not in the round's sample"


class FindingRecorded(Conflict):
    """The round already has a finding for this certificate."""

    slug, title = "finding-recorded", "A finding for this certificate is already recorded"


class NothingToAudit(Conflict):
    """A round was asked for where no audit can be drawn."""

    slug, title = "nothing-to-audit", "No audit round can be drawn"


class UnknownEvent(NotFound):
    """Accounting has no such event."""

    slug, title = "unknown-event", "No such event"


class UpstreamAnswer(BadGateway):
    """Another service answered, but not with what its API promises."""

    slug, title = "upstream-answer", "Another service gave an unusable answer"


class UntrustedLog(BadGateway):
    """The registry's log key or checkpoint does not verify."""

    slug, title = "untrusted-log", "The registry's log could not be verified"


class PreviewUnavailable(ServiceUnavailable):
    """The PNG preview needs a CJK font the machine does not have."""

    slug, title = "preview-unavailable", "The preview cannot be drawn here"


class NotReadyToApply(Conflict):
    """Accounting's lifecycle does not allow an application yet (the event has not ended, or has no
    accounted inventory)."""

    slug, title = "not-ready-to-apply", "The event cannot apply for a certificate yet"


class OffsetsDoNotCover(Conflict):
    """The offsets the registry's log proves for the event do not cover its accounted emissions."""

    slug, title = "offsets-do-not-cover", "The offsets do not cover the accounted emissions"
