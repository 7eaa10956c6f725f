"""Case attachments: stored outside static files, under a random name, within the limits of cases.attachments."""

from pathlib import PurePath

from cases import attachments as limits
from cases.models import Case, CaseAttachment, CaseEvent
from cases.transitions import CaseStateError


def attach(case: Case, event: CaseEvent, actor, files, *, strict: bool = True) -> list[str]:
    """Store the files. Strict (portal): any problem refuses all, with the reasons. Lenient (email): what
    is acceptable is kept and the refused files are listed (they stay in the stored raw message)."""
    errors = limits.problems(files)
    if errors and strict:
        raise CaseStateError(" ".join(errors))
    refused = []
    if errors:
        accepted = []
        for f in files:
            problem = limits.problems([f])
            (refused.extend(problem) if problem else accepted.append(f))
        refused += [
            f"“{PurePath(f.name).name}”: over the limit of {limits.max_files()} files"
            for f in accepted[limits.max_files() :]
        ]
        files = accepted[: limits.max_files()]
    for f in files:
        name = PurePath(f.name).name[:255]
        attachment = CaseAttachment(
            case=case,
            event=event,
            name=name,
            content_type=limits.content_type_for(name),
            size=f.size,
            uploaded_by=actor,
        )
        attachment.file.save(name, f, save=False)
        attachment.save()
    return refused
