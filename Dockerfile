# The course in JupyterLab on a CPU, in one container:
#   docker build -t cnn-course .
#   docker run --rm -p 8888:8888 cnn-course
# then open the http://127.0.0.1:8888/lab?token=... address that it prints. Quick mode is the
# default here (a CPU); `docker run -e CNNLIB_QUICK=0 ...` for full mode. To keep your work, mount
# a folder over the notebooks: `-v "$PWD/notebooks:/home/student/course/notebooks"`.
# The install steps are tools/container_setup.sh, which Binder (binder/postBuild) and CI run too.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    CNNLIB_QUICK=1 \
    VIRTUAL_ENV=/home/student/.venv \
    PATH=/home/student/.venv/bin:$PATH

RUN useradd --create-home --uid 1000 student
USER student
WORKDIR /home/student/course
COPY --chown=student:student . .
RUN python -m venv "$VIRTUAL_ENV" && PYTHON="$VIRTUAL_ENV/bin/python" bash tools/container_setup.sh

EXPOSE 8888
CMD ["jupyter", "lab", "--ip=0.0.0.0", "--port=8888", "--no-browser", \
     "--ServerApp.root_dir=/home/student/course/notebooks"]
