"""The marker every Quanke hook specification carries."""
import pluggy

hookspec = pluggy.HookspecMarker("quanke")
