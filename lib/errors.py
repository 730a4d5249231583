"""The few named errors Dossier raises: each message tells the user what to do.

Library code raises these; the pages show them with `st.error` and the CLI prints them
and exits with `exit_code`, so no traceback reaches a user.
"""


class DossierError(Exception):
    """Base of every error a user may see."""

    exit_code = 1


class BadInputError(DossierError):
    """An input (file, query, claim, date, option) that cannot be used as given."""

    exit_code = 2


class IndexMissingError(DossierError):
    """No index has been built for this corpus and model yet."""

    exit_code = 3


class IndexCorruptError(DossierError):
    """The index on disk is damaged or was built for another model/format."""

    exit_code = 4


class ModelLoadError(DossierError):
    """A configured model could not be loaded (wrong name or path, no network)."""

    exit_code = 5
