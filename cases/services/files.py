"""Case attachments: stored outside static files, under a random name, within the limits of cases.attachments."""

from pathlib import PurePath

from cases import attachments as limits
from cases.models import Case, CaseAttachment, CaseEvent
from cases.transitions import CaseStateError
from core.text import _, to_json


def attach(case: Case, event: CaseEvent, actor, files, *, strict: bool = True) -> list:
    """Store the files. Strict (portal): any problem refuses all, with the reasons. Lenient (email): what
    is acceptable is kept and the refused files are listed (they stay in the stored raw message), as
    messages in their stored form (``CaseEvent.refused_attachments`` reads them)."""
    errors = limits.problems(files)
    if errors and strict:
        raise CaseStateError(" ".join(str(error) for error in errors))
    refused = []
    if errors:
        accepted = []
        for f in files:
            problem = limits.problems([f])
            (refused.extend(problem) if problem else accepted.append(f))
        refused += [
            _("“%(name)s”: over the limit of %(n)s files.") % {"name": PurePath(f.name).name, "n": limits.max_files()}
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
    return [to_json(reason) for reason in refused]
