# The team server in a container. Build and run (PostgreSQL elsewhere):
#   docker build -t crossdeal .
#   docker run -p 8000:8000 -e CROSSDEAL_DATABASE_URL=postgresql+psycopg://USER:PASSWORD@HOST/DB crossdeal
# Add the first admin once: docker run -it -e CROSSDEAL_DATABASE_URL=... crossdeal crossdeal users add EMAIL --role admin
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    CROSSDEAL_HOME=/data

RUN useradd --create-home --uid 10001 crossdeal && mkdir /data && chown crossdeal /data
WORKDIR /app
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install --no-cache-dir .

USER crossdeal
VOLUME /data
EXPOSE 8000
# migrations run once at start-up, before the workers fork
CMD ["crossdeal", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "4"]
