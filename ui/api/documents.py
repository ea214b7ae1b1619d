"""Documents: list them (with live counts while one ingests), upload and ingest files, remove one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, UploadFile

from ingest.read import SUPPORTED_SUFFIXES
from ingest.uploads import remove_document, save_and_ingest
from ui.api.auth import authorize
from ui.api.errors import ERROR_RESPONSES
from ui.api.models import DocumentList, RemovedDocument, UploadResponse
from ui.api.service import ServiceDep

router = APIRouter(prefix="/api", dependencies=[Depends(authorize)], responses=ERROR_RESPONSES, tags=["documents"])


@router.get("/documents", response_model=DocumentList)
def list_documents(service: ServiceDep) -> DocumentList:
    """The ingested documents (a document being ingested shows `ingesting` and its counts so far)."""
    index = service.index
    return DocumentList(
        documents=[d.model_copy(update={"source": index.public_name(d.source)}) for d in index.documents()]
    )


@router.post("/documents", response_model=UploadResponse)
def upload_documents(
    service: ServiceDep,
    files: Annotated[list[UploadFile], File(description=f"Files to ingest: {' '.join(sorted(SUPPORTED_SUFFIXES))}")],
) -> UploadResponse:
    """Upload files into `<data_dir>/uploads/` and ingest them (uploads take turns; questions go on)."""
    results, report = save_and_ingest(service.index, files)
    return UploadResponse(files=results, articles=report.articles, chunks=report.chunks)


@router.delete("/documents/{document_id:path}", response_model=RemovedDocument)
def delete_document(document_id: str, service: ServiceDep) -> RemovedDocument:
    """Remove a document (its name as listed, or a unique file name, URL-encoded) from every index."""
    source, removed = remove_document(service.index, document_id)
    return RemovedDocument(source=source, removed_chunks=removed)
