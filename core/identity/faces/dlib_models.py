"""The face engine: dlib's detector, landmark predictors and encoder, built from the model
files of ``face_recognition_models`` (or ``$QUANKE_FACE_MODELS_DIR``), loaded once per process."""
from __future__ import annotations

import functools
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.identity import FaceEngineMissing

MODELS_ENV = "QUANKE_FACE_MODELS_DIR"
MODEL_FILES = {
    "pose_predictor_68_point": "shape_predictor_68_face_landmarks.dat",
    "pose_predictor_5_point": "shape_predictor_5_face_landmarks.dat",
    "face_encoder": "dlib_face_recognition_resnet_model_v1.dat",
}
_MISSING = "人脸识别组件未安装（pip install 'quanke[face]'），暂时无法进行人脸核验"


@dataclass(frozen=True)
class Engine:
    """The four dlib objects, named as in ``face_recognition.api``."""

    face_detector: Any
    pose_predictor_68_point: Any
    pose_predictor_5_point: Any
    face_encoder: Any


def models_dir() -> Path:
    """Where the ``.dat`` model files are: ``$QUANKE_FACE_MODELS_DIR`` or the
    ``face_recognition_models`` package's ``models/`` folder (found without importing it)."""
    configured = os.environ.get(MODELS_ENV)
    if configured:
        return Path(configured)
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise FaceEngineMissing(_MISSING, details={"missing": "face_recognition_models"})
    return Path(list(spec.submodule_search_locations)[0]) / "models"


@functools.lru_cache(maxsize=1)
def engine() -> Engine:
    """The detector, landmark predictors and encoder, loaded once per process."""
    try:
        import dlib
    except ImportError:
        raise FaceEngineMissing(_MISSING, details={"missing": "dlib"}) from None
    folder = models_dir()
    paths = {name: folder / file for name, file in MODEL_FILES.items()}
    missing = [str(p) for p in paths.values() if not p.is_file()]
    if missing:
        raise FaceEngineMissing(_MISSING, details={"missing": missing})
    return Engine(face_detector=dlib.get_frontal_face_detector(),
                  pose_predictor_68_point=dlib.shape_predictor(str(paths["pose_predictor_68_point"])),
                  pose_predictor_5_point=dlib.shape_predictor(str(paths["pose_predictor_5_point"])),
                  face_encoder=dlib.face_recognition_model_v1(str(paths["face_encoder"])))


def available() -> bool:
    try:
        engine()
        return True
    except FaceEngineMissing:
        return False


def preload() -> bool:
    """Load the models — and import the modules the verification job runs — now, in a worker's
    parent process before it forks work-horses, so no job pays for them; False if missing."""
    from core.identity import enrolment, verification  # noqa: F401
    return available()
