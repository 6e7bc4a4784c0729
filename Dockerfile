# Image for every txmon process of docker-compose.yml (the command selects the role).
FROM python:3.11-slim
WORKDIR /opt/txmon
COPY . .
RUN pip install --no-cache-dir '.[api]' && useradd --system txmon && mkdir -p /var/lib/txmon \
    && chown txmon /var/lib/txmon
USER txmon
ENTRYPOINT []
