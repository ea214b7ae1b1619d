"""Page images: a PDF source's page, cropped to its article, with the cited passage highlighted (PNG)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import FileResponse

from rag.errors import NewsqaError
from rag.page_image import cited_page_image
from rag.retrieve import stored_source
from ui.api.auth import authorize
from ui.api.errors import ERROR_RESPONSES
from ui.api.models import Text
from ui.api.service import ServiceDep

router = APIRouter(prefix="/api", dependencies=[Depends(authorize)], responses=ERROR_RESPONSES, tags=["sources"])


@router.get(
    "/sources/{chunk_id:path}/page.png",
    response_class=FileResponse,
    responses={200: {"content": {"image/png": {}}, "description": "The page image."}},
)
def page_image(
    chunk_id: Text,
    service: ServiceDep,
    start: Annotated[int, Query(ge=-1, description="A citation's quote_start (-1: the whole passage).")] = -1,
    end: Annotated[int, Query(ge=-1, description="A citation's quote_end.")] = -1,
) -> FileResponse:
    """The page of source `chunk_id` (from a PDF; URL-encoded) cropped to its article, the passage or
    the quote (a citation's `quote_start`/`quote_end`) shaded."""
    source = stored_source(service.index, chunk_id)
    image = cited_page_image(service.index.catalog, service.settings.data_dir, source, (start, end)) if source else None
    if image is None:
        raise NewsqaError("没有该来源的版面图", f"no page image for source {chunk_id} (not from a PDF)", status=404)
    return FileResponse(image, media_type="image/png")
