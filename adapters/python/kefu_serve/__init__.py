"""kefu_serve — kefu inside the agent's own helpdesk.

``kefu serve`` runs :func:`kefu_serve.app.make_app` on aiohttp: a local JSON service (analyze, suggest,
render, tone, customers, notes) described by the OpenAPI document it serves at ``/openapi.json``,
the helpdesk webhooks (Chatwoot, Zendesk) and the sidebar page. ``kefu-rt`` (``python3 -m kefu_serve
rt-poll``) brings kefu into Request Tracker 5 through its REST 2.0 API.

Everything here goes through the public ``kefu`` Python package; nothing reaches into the core.
"""
__all__ = ["__version__"]

__version__ = "0.1.0"
