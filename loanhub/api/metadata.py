"""What ``OPTIONS`` answers on every API endpoint.

DRF's ``SimpleMetadata`` describes a view's write fields through
``view.get_serializer()``, which needs a ``serializer_class`` that our views do not
have: they read their input with a nested ``InputSerializer`` (the project's
convention) and answer with an output serializer. So it asked for one and
answered 500. This describes the ``InputSerializer`` instead, for the methods the
caller may use; a view without one describes no fields.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions
from rest_framework.metadata import SimpleMetadata
from rest_framework.request import Request, clone_request

if TYPE_CHECKING:  # rest_framework.views imports this module (DEFAULT_METADATA_CLASS)
    from rest_framework.views import APIView

WRITE_METHODS = ("POST", "PUT", "PATCH")


class InputMetadata(SimpleMetadata):
    def determine_metadata(self, request: Request, view: APIView) -> dict:
        metadata = super().determine_metadata(request, view)
        if not hasattr(view, "get_serializer"):  # a plain APIView: DRF skipped actions
            actions = self.determine_actions(request, view)
            if actions:
                metadata["actions"] = actions
        return metadata

    def determine_actions(self, request: Request, view: APIView) -> dict:
        input_class = getattr(view, "InputSerializer", None)
        if input_class is None:
            return {}
        methods = [m for m in WRITE_METHODS if m in view.allowed_methods]
        context = {"request": request, "view": view}
        return {
            method: self.get_serializer_info(input_class(context=context))
            for method in methods
            if self._may_use(request, view, method)
        }

    @staticmethod
    def _may_use(request: Request, view: APIView, method: str) -> bool:
        """Whether the caller passes the view's permissions for ``method`` (as DRF's
        own metadata checks them), so a caller learns nothing it may not use."""
        view.request = clone_request(request, method)
        try:
            view.check_permissions(view.request)
        except (exceptions.APIException, PermissionDenied, Http404):
            return False
        finally:
            view.request = request
        return True
