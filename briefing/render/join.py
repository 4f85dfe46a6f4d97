"""Join the parts of a digest, laid out apart, into one PDF (pypdf).

What one WeasyPrint run would have made, rebuilt from the parts:

* the pages, in order; the first part's catalog (language, viewer preferences, the XMP
  metadata and output intent of PDF/A, the document information) stands for the whole;
* the named destinations of every part in one name tree, and each link to another part
  (:data:`briefing.render.parts.PART_LINK`) turned back into a link inside the document;
* one outline: every part's bookmarks at their levels, pointing at the joined pages;
* with tags (PDF/UA, PDF/A level A): one structure tree, each part's elements under one
  Document element and its parent tree renumbered after the parts before it;
* the page numbers ("page 7 of 312"), which a part cannot know: each page gets the matching
  page of ``stamps`` (laid out once for the whole document) drawn over it as an artifact.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefing.errors import RenderError
from briefing.render.parts import PART_LINK

if TYPE_CHECKING:
    from pypdf import PdfReader, PdfWriter

__all__ = ["join_pdfs", "measure", "page_count"]

_STAMP = "/BriefingPageNumber"


def page_count(pdf: bytes | Path) -> int:
    """The number of pages of a PDF (RenderError if it cannot be read: cut short, say)."""
    return measure(pdf)[0]


def measure(pdf: bytes | Path) -> tuple[int, dict[str, int]]:
    """A PDF's page count and the page (0-based) of each named destination, read once
    (RenderError if it cannot be read: cut short, say)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(_stream(pdf))
        anchors = {}
        for name, dest in reader.named_destinations.items():
            page = reader.get_destination_page_number(dest)
            if page is not None:
                anchors[name] = page
        return len(reader.pages), anchors
    except (PyPdfError, OSError, KeyError, ValueError) as exc:
        raise RenderError(f"unreadable PDF: {type(exc).__name__}: {exc}") from None


def _stream(pdf: bytes | Path) -> io.BytesIO | Path:
    return io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf


def join_pdfs(parts: Sequence[bytes | Path], stamps: bytes | Path | None = None) -> bytes:
    """One PDF of ``parts`` (PDFs by WeasyPrint, in order); ``stamps``: one page per page of the
    result, drawn over it (the page numbers), or None."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PyPdfError

    try:
        readers = [PdfReader(_stream(p)) for p in parts]
        writer = PdfWriter(clone_from=readers[0])
        starts = [0]
        key_offsets = [0]
        next_key = _next_key(readers[0])
        for reader in readers[1:]:
            starts.append(len(writer.pages))
            key_offsets.append(next_key)
            for page in reader.pages:
                added: Any = writer.add_page(page)
                # pypdf drops /StructParents when it copies a page: the renumbered key.
                if "/StructParents" in page:
                    added[_name("/StructParents")] = _number(
                        int(_obj(page["/StructParents"])) + next_key
                    )
                for annotation in _annotations(added):
                    if "/StructParent" in annotation:
                        key = int(annotation["/StructParent"]) + next_key
                        annotation[_name("/StructParent")] = _number(key)
            next_key += _next_key(reader)
        destinations = _destinations(writer, readers)
        _relink(writer, destinations)
        _outline(writer, readers, starts)
        if "/StructTreeRoot" in writer.root_object:
            _structure(writer, readers, key_offsets, next_key)
        if stamps is not None:
            _stamp(writer, PdfReader(_stream(stamps)))
        out = io.BytesIO()
        writer.write(out)
    except (PyPdfError, OSError, KeyError, ValueError, IndexError, TypeError) as exc:
        detail = f"{type(exc).__name__}: {exc}"
        raise RenderError(f"could not join the parts of the PDF: {detail}") from None
    return out.getvalue()


def _obj(value: Any) -> Any:
    """The object behind a reference (pypdf's types are loose: Any here, checked by use)."""
    return value.get_object() if value is not None and hasattr(value, "get_object") else value


def _name(text: str) -> Any:
    from pypdf.generic import NameObject

    return NameObject(text)


def _number(value: int) -> Any:
    from pypdf.generic import NumberObject

    return NumberObject(value)


def _annotations(page: Any) -> Iterator[Any]:
    for ref in page.get("/Annots", []) or []:
        yield ref.get_object()


def _next_key(reader: PdfReader) -> int:
    """The first key after a part's parent tree (0 without tags)."""
    root = _obj(reader.trailer["/Root"])
    if "/StructTreeRoot" not in root:
        return 0
    tree = root["/StructTreeRoot"].get_object()
    if "/ParentTreeNextKey" in tree:
        return int(tree["/ParentTreeNextKey"])
    nums = tree["/ParentTree"].get_object().get("/Nums", [])
    keys = [int(k) for k in list(nums)[0::2]]
    return max(keys, default=-1) + 1


def _named(reader: PdfReader) -> list[Any]:
    """A part's named destinations: the flat /Names array WeasyPrint writes ([name, dest, …])."""
    root = _obj(reader.trailer["/Root"])
    names = root.get("/Names")
    if names is None or "/Dests" not in names.get_object():
        return []
    return list(names.get_object()["/Dests"].get_object().get("/Names", []))


def _destinations(writer: PdfWriter, readers: Sequence[PdfReader]) -> dict[str, Any]:
    """Every part's named destinations, copied to the joined pages, in one name tree."""
    from pypdf.generic import ArrayObject, DictionaryObject, TextStringObject

    found: dict[str, Any] = {}
    for reader in readers:
        flat = _named(reader)
        for name, dest in zip(flat[0::2], flat[1::2], strict=True):
            # A copy pointing at the joined pages (the first part's were cloned with it).
            found[str(name)] = dest.get_object().clone(writer)
    tree = ArrayObject()
    for name in sorted(found):
        tree += [TextStringObject(name), found[name]]
    names = writer.root_object.get("/Names")
    holder = names.get_object() if names is not None else DictionaryObject()
    holder[_name("/Dests")] = DictionaryObject({_name("/Names"): tree})
    writer.root_object[_name("/Names")] = holder
    return found


def _relink(writer: PdfWriter, destinations: dict[str, Any]) -> None:
    """Links to another part (an URI the parts module wrote) become links to its page."""
    for page in writer.pages:
        for annotation in _annotations(page):
            action = annotation.get("/A")
            if action is None:
                continue
            action = action.get_object()
            uri = str(action.get("/URI", ""))
            if action.get("/S") != "/URI" or not uri.startswith(PART_LINK):
                continue
            target = destinations.get(uri[len(PART_LINK) :])
            del annotation["/A"]
            if target is not None:
                annotation[_name("/Dest")] = target
            else:  # an anchor no part has: a dead link, as in one document
                annotation[_name("/Dest")] = _fit_page(page)


def _fit_page(page: Any) -> Any:
    from pypdf.generic import ArrayObject

    return ArrayObject([page.indirect_reference, _name("/Fit")])


def _outline(writer: PdfWriter, readers: Sequence[PdfReader], starts: Sequence[int]) -> None:
    """One outline: each part's bookmarks, at their levels, on the joined pages."""
    from pypdf.generic import Fit

    if "/Outlines" in writer.root_object:
        del writer.root_object["/Outlines"]
    parents: list[Any] = []
    for reader, start in zip(readers, starts, strict=True):
        for depth, item in _flat_outline(reader.outline, 0):
            page = reader.get_destination_page_number(item)
            if page is None:
                continue
            del parents[depth:]
            fit = Fit.xyz(_float(item.get("/Left")), _float(item.get("/Top")), 0)
            added = writer.add_outline_item(
                title=str(item.title),
                page_number=start + page,
                parent=parents[-1] if parents else None,
                fit=fit,
            )
            parents.append(added)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _flat_outline(items: list[Any], depth: int) -> Iterator[tuple[int, Any]]:
    """pypdf's nested outline ([item, [its children], item, …]) as (depth, item)."""
    for item in items:
        if isinstance(item, list):
            yield from _flat_outline(item, depth + 1)
        else:
            yield depth, item


def _structure(
    writer: PdfWriter, readers: Sequence[PdfReader], offsets: Sequence[int], next_key: int
) -> None:
    """One structure tree: the later parts' elements under the first part's Document element,
    their parent trees renumbered after the parts before them."""
    from pypdf.generic import ArrayObject

    root: Any = _obj(writer.root_object["/StructTreeRoot"])
    document = _document_element(root)
    kids = document.get("/K")
    kids = ArrayObject(list(kids.get_object())) if kids is not None else ArrayObject()
    parent_tree: Any = _obj(root["/ParentTree"])
    nums = ArrayObject(list(parent_tree.get("/Nums", [])))
    for reader, offset in zip(readers[1:], offsets[1:], strict=True):
        tree: Any = _obj(_obj(reader.trailer["/Root"])["/StructTreeRoot"])
        # /P leads up to the part's own root: left out, and set again below.
        for kid in _document_element(tree).get("/K", []):
            kids.append(kid.clone(writer, ignore_fields=("/P",)))
        part_nums = list(tree["/ParentTree"].get_object().get("/Nums", []))
        for key, value in zip(part_nums[0::2], part_nums[1::2], strict=True):
            nums += [_number(int(key) + offset), value.clone(writer, ignore_fields=("/P",))]
    document[_name("/K")] = kids
    parent_tree[_name("/Nums")] = nums
    root[_name("/ParentTreeNextKey")] = _number(next_key)
    _set_parents(document)
    # WeasyPrint maps the page margins' text (running headers) to elements kept out of the
    # tree, whose parent is the Document element: theirs is the joined one.
    for value in list(nums)[1::2]:
        value = value.get_object()
        for element in value if isinstance(value, list) else [value]:
            node = element.get_object()
            if isinstance(node, dict) and "/S" in node and "/P" not in node:
                node[_name("/P")] = document.indirect_reference
                _set_parents(node)


def _document_element(tree: Any) -> Any:
    """The Document element WeasyPrint puts at the top of a structure tree."""
    kids = tree["/K"]
    return _obj(kids[0] if isinstance(kids, list) else kids)


def _set_parents(element: Any) -> None:
    """Every structure element's /P: its parent (iteratively: trees can be deep)."""
    stack: list[Any] = [element]
    while stack:
        parent = stack.pop()
        children = parent.get("/K")
        if children is None:
            continue
        children = children.get_object()
        for child in children if isinstance(children, list) else [children]:
            node = child.get_object() if hasattr(child, "get_object") else child
            if isinstance(node, dict) and "/S" in node:
                node[_name("/P")] = parent.indirect_reference or parent
                stack.append(node)


def _stamp(writer: PdfWriter, stamps: PdfReader) -> None:
    """Draw page i of ``stamps`` over page i: a form XObject, marked as an artifact."""
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject

    if len(stamps.pages) != len(writer.pages):
        raise ValueError(f"{len(stamps.pages)} page numbers for {len(writer.pages)} pages")
    begin = DecodedStreamObject()
    begin.set_data(b"q\n")
    begin_ref = writer._add_object(begin)  # pypdf has no public way to add a new stream
    for page, stamp in zip(writer.pages, stamps.pages, strict=True):
        form = DecodedStreamObject()
        drawn = stamp.get_contents()  # a stream is a dictionary: test for None, not truth
        form.set_data(drawn.get_data() if drawn is not None else b"")
        form.update(
            {
                _name("/Type"): _name("/XObject"),
                _name("/Subtype"): _name("/Form"),
                _name("/BBox"): stamp.mediabox,
                _name("/Resources"): stamp["/Resources"].clone(writer),
            }
        )
        form_ref = writer._add_object(form)
        end = DecodedStreamObject()
        end.set_data(f"Q\n/Artifact BMC\nq {_STAMP} Do Q\nEMC\n".encode("ascii"))
        end_ref = writer._add_object(end)
        contents: Any = page.get("/Contents")
        old = contents.get_object() if contents is not None else ArrayObject()
        old_refs = list(old) if isinstance(old, list) else [contents]
        page[_name("/Contents")] = ArrayObject([begin_ref, *old_refs, end_ref])
        resources: Any = _obj(page["/Resources"])
        xobjects = resources.get("/XObject")
        own = DictionaryObject(dict(xobjects.get_object())) if xobjects else DictionaryObject()
        own[_name(_STAMP)] = form_ref
        copy = DictionaryObject(dict(resources))
        copy[_name("/XObject")] = own
        page[_name("/Resources")] = copy
