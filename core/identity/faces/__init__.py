"""Faces: decoding and checking images, detection, landmarks, 128-d encodings, distance.

Pure functions over bytes and arrays (no database). The engine is the one
``face_recognition`` wraps: dlib's HOG face detector, its 68- and 5-point landmark
predictors and its ResNet face encoder, with the model files of ``face_recognition_models``.
It is built here straight from dlib (same calls, same numbers as ``face_recognition``), which
spares the ``face_recognition`` package's side effects: it ``quit()``s the process when the
models are missing, sets ``PIL.ImageFile.LOAD_TRUNCATED_IMAGES`` for the whole process,
loads a CNN detector we do not use, and pins ``dlib`` (a source build) as a dependency.
The model files are found without importing ``face_recognition_models`` (whose
``__init__`` needs ``pkg_resources``), or in ``$QUANKE_FACE_MODELS_DIR``.

Loading takes about a second (the 68-point model alone is 100 MB), so call :func:`preload`
in long-lived processes before they fork (rq forks one work-horse per job).

Distances are Euclidean between encodings (``face_recognition.face_distance``); lower means
more alike. The decision bands come from :func:`core.identity.settings`.

Where it lives: :mod:`.dlib_models` (loading the engine), :mod:`.images` (decoding),
:mod:`.detection` (faces, landmarks, encodings), :mod:`.comparison` (distances, the decision,
stored bytes) and :mod:`.frames` (one frame checked, a reference photo encoded).
"""
from __future__ import annotations

from core.identity import ENCODING_MODEL, FrameProblem
from core.identity.faces.comparison import ENCODING_DIM, decide, distance, from_bytes, nearest, to_bytes
from core.identity.faces.detection import (LANDMARK_SLICES, Face, detect, encode, face_signature, find_faces,
                                           find_near, landmarks)
from core.identity.faces.dlib_models import (MODEL_FILES, MODELS_ENV, Engine, available, engine, models_dir,
                                             preload)
from core.identity.faces.frames import FrameCheck, check_frame, encode_photo
from core.identity.faces.images import ACCEPTED_FORMATS, Image, brightness, load_image, luma, sha256

__all__ = ["ENCODING_MODEL", "FrameProblem", "Image", "Face", "FrameCheck", "Engine", "engine", "available",
           "models_dir",
           "preload", "load_image", "brightness", "detect", "find_faces", "find_near", "face_signature", "landmarks", "encode", "distance",
           "nearest", "decide", "to_bytes", "from_bytes", "check_frame", "encode_photo", "sha256"]
