"""The SQL of the search documents and queries, as versioned files that migrations execute.

`<name>.v<N>.sql` is version N of the definition of `name` (a function; `search_outbox_queue`
with its triggers). A file never changes once a migration has executed it: a new definition is a
new version, executed by a new migration, whose downgrade executes the version before. Function
files create or replace, so one file both installs its version and restores it.
"""

from importlib.resources import files


def search_sql(name: str, version: int) -> str:
    """Version `version` of the definition of `name`, as its migration executes it."""
    return files(__name__).joinpath(f"{name}.v{version}.sql").read_text(encoding="utf-8")
