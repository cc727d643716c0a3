"""Writing output files so that none is ever left half-written under its final name.

    with atomic_path("outputs/gan_1d.png") as tmp:    # a fresh name beside the file
        fig.savefig(tmp)                               # write it any way you like
    # here the file is on disk (fsync) and renamed over the old one (os.replace)

A reader of ``gan_1d.png`` sees the previous file or the new one, never half of one:
a run killed mid-write, or a full disk, leaves the old file whole and, at worst, a
temporary file ``.gan_1d.png.tmp-<pid>-<token>.png`` beside it.  The next write to
the same place removes the temporaries of processes that no longer exist.

The temporary name keeps the final extension, so writers that choose the format
from the name (matplotlib, Pillow, ``np.save``) write the right one.
``check_output_path`` and ``check_writable_folder`` let a program refuse a bad
path *before* it spends an hour computing what it would write there.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets

TEMP_TAG = ".tmp-"


def check_output_path(path, who="path"):
    """The path a file will be written to, as a str; ValueError if it cannot name a file.

    Refuses an empty name, a name ending in a path separator (that names a folder) and
    an existing folder.  A symbolic link is followed: the file it points to is written,
    the link stays.
    """
    try:
        path = os.fspath(path)
    except TypeError:
        raise TypeError(f"{who} must be a file path (str or os.PathLike), "
                        f"got {type(path).__name__}") from None
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not path.strip():
        raise ValueError(f"{who} is empty; give a file name")
    if path.endswith(("/", os.sep)) or os.path.basename(path) in (".", ".."):
        raise ValueError(f"{who} {path!r} names a folder (it ends with "
                         f"{os.path.basename(path) or path[-1]!r}); give a file name")
    if "\0" in path:
        raise ValueError(f"{who} {path!r} contains a NUL character")
    target = os.path.realpath(path)        # through symlinks: write the file, keep the link
    if os.path.isdir(target):
        raise ValueError(f"{who} {path!r} is a folder; give a file name")
    return path


def _temp_name(target):
    folder, name = os.path.split(target)
    ext = os.path.splitext(name)[1]
    return os.path.join(folder, f".{name}{TEMP_TAG}{os.getpid()}-{secrets.token_hex(4)}{ext}")


def _pid_alive(pid):
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)                    # signal 0: only asks whether pid exists
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True                        # exists (someone else's) or cannot tell
    return True


def clean_stale_temps(path):
    """Remove the temporaries that killed writers of ``path`` left beside it.

    Only names of the form ``.<name>.tmp-<pid>-<hex>[ext]`` whose process is gone are
    removed: a concurrent writer's temporary is left alone.  Returns the names removed.
    """
    target = os.path.realpath(os.fspath(path))
    folder, name = os.path.split(target)
    ext = os.path.splitext(name)[1]
    pattern = re.compile(re.escape(f".{name}{TEMP_TAG}") + r"(\d+)-[0-9a-f]+"
                         + re.escape(ext) + "$")
    removed = []
    try:
        entries = os.listdir(folder)
    except OSError:
        return removed
    for entry in entries:
        match = pattern.match(entry)
        if match and not _pid_alive(int(match.group(1))):
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(folder, entry))
                removed.append(entry)
    return removed


def _fsync_folder(folder):
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_path(path, who="path"):
    """Yield a temporary path beside ``path``; when the block ends without an error,
    flush the file to disk and rename it over ``path``.  On any error (or a kill), the
    temporary is removed and ``path`` is untouched.

    Parent folders are created.  Writing through a symbolic link replaces the file the
    link points to, not the link.
    """
    path = check_output_path(path, who)
    target = os.path.realpath(path)
    folder = os.path.dirname(target)
    os.makedirs(folder, exist_ok=True)
    clean_stale_temps(target)
    tmp = _temp_name(target)
    try:
        yield tmp
        if not os.path.isfile(tmp):
            raise OSError(errno.ENOENT, "the writer produced no file", tmp)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())            # the bytes are on disk before the name is
        os.replace(tmp, target)             # atomic: readers see the old file or the new
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_folder(folder)


def write_bytes(path, data, who="path"):
    """Write ``data`` (bytes) to ``path`` atomically."""
    with atomic_path(path, who) as tmp, open(tmp, "xb") as f:
        f.write(data)


def write_text(path, text, who="path"):
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    write_bytes(path, text.encode("utf-8"), who)


def check_writable_folder(folder, who="folder"):
    """Create ``folder`` if needed and prove a file can be written there (a probe file is
    created and removed).  Raises ValueError naming the folder and the reason."""
    folder = os.fspath(folder)
    if not folder.strip():
        raise ValueError(f"{who} is empty; give a folder name")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"{who}: cannot make the folder {folder!r}: "
                         f"{exc.strerror or exc}") from None
    if not os.path.isdir(folder):
        raise ValueError(f"{who}: {folder!r} is not a folder")
    probe = _temp_name(os.path.join(os.path.realpath(folder), "write-probe"))
    try:
        with open(probe, "xb") as f:
            f.write(b"probe")
    except OSError as exc:
        raise ValueError(f"{who}: cannot write in the folder {folder!r}: "
                         f"{exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(probe)
    return folder
