"""The `/wechat` callback blueprint: verify, decrypt, parse, dispatch, encrypt. Nothing else."""
from __future__ import annotations

import logging
import secrets

from flask import Blueprint, Response, current_app, request

bp = Blueprint("wechat", __name__)
log = logging.getLogger(__name__)


def _state():
    return current_app.extensions["hongling"]


@bp.get("/healthz")
def healthz() -> Response:
    """Liveness: 200 ok."""
    return Response("ok", mimetype="text/plain")


@bp.get("/wechat")
def verify_url() -> Response:
    """The platform's URL verification: the channel's answer (the echostr), exactly."""
    return Response(_state().channel.verify_url(request.args), mimetype="text/plain")


@bp.post("/wechat")
def callback() -> Response:
    """One callback message in, one encrypted passive reply out."""
    state = _state()
    incoming = state.channel.open(request.args, request.get_data(cache=False))
    reply = state.dispatcher.handle(incoming)
    if not reply:
        return Response("", mimetype="text/plain")
    nonce = request.args.get("nonce") or secrets.token_hex(8)
    return Response(state.channel.seal(incoming, reply, nonce), mimetype="application/xml")
