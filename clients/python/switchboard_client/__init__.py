"""Python client for switchboard, the chat session router.

``Client`` speaks the HTTP API of API.md; ``switchboard_client.hermes.SessionStore``
is a drop-in replacement for the Hermes gateway's ``SessionStore``.
"""

from .client import Client, SwitchboardError, source_to_dict

__all__ = ["Client", "SwitchboardError", "source_to_dict"]
__version__ = "0.1.0"
