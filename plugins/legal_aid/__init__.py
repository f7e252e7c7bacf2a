"""Legal aid plugin (法律援助): applications under the PRC Legal Aid Law."""
__version__ = "0.1.0"
