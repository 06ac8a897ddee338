"""Clients for the systems Front Door talks to, and the council services stand-in."""
