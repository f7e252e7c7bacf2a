"""``pytest -W error::DeprecationWarning``, which the guide recommends to plugin authors, must
work with every built-in plugin loaded: an outside plugin's tests load them all (issue 20 §8).

WTForms 3.3 deprecates ``SelectField`` choices given as lists of tuples; a plugin whose form
declares them at import time could not even be loaded under that flag. The check runs in a
fresh interpreter so that warnings raised while modules are first imported count too.
"""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r'''
import importlib, inspect, pkgutil, warnings
import flask_wtf, wtforms
from flask import Flask
from core.acceptance.forms import validate_form
from core.contract.host import DEFAULT_PLUGINS, PluginHost
from core.ops.demo import valid_resident_id

host = PluginHost(strict=True)            # every built-in plugin and the installed example
person = valid_resident_id("32010219900307123")
for service in host.services.values():    # the application forms: rendered, example validated
    form = service.form(meta={"csrf": False})
    "".join(str(field()) for field in form)
    validate_form(service, service.example_for("测试申请人", person))

# every other form the built-in plugins and the web pages declare (staff pages, the portal)
from flask_babel import Babel
app = Flask("kit")
app.config.update(SECRET_KEY="kit", WTF_CSRF_ENABLED=False)
Babel(app)                                 # the web's labels are lazy translations
packages = sorted({dotted.rsplit(".", 1)[0] for dotted in DEFAULT_PLUGINS}) + ["web.forms"]
count = 0
for package in packages:
    root = importlib.import_module(package)
    names = [package] + [i.name for i in pkgutil.walk_packages(getattr(root, "__path__", []), package + ".")
                         if ".migrations" not in i.name]
    for name in names:
        module = importlib.import_module(name)
        for cls in vars(module).values():
            if inspect.isclass(cls) and issubclass(cls, wtforms.Form) and cls.__module__ == name:
                with app.test_request_context():
                    form = cls() if issubclass(cls, flask_wtf.FlaskForm) else cls(meta={"csrf": False})
                    "".join(str(field()) for field in form)
                count += 1
print("services", len(host.services), "forms", count)
'''


def test_built_in_plugins_load_and_render_their_forms_with_deprecations_as_errors(tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
           "QUANKE_INSTANCE_PATH": str(tmp_path)}
    run = subprocess.run([sys.executable, "-W", "error::DeprecationWarning", "-c", SCRIPT],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    words = run.stdout.split()
    services, forms = int(words[words.index("services") + 1]), int(words[words.index("forms") + 1])
    assert services >= 8 and forms >= 25, run.stdout  # it really looked at them
