# syntax=docker/dockerfile:1
#
# trcr: build the fat jar with Maven on JDK 25, run it on a JRE 25 as a non-root user.
#
#   docker build -t trcr .
#   docker run --init -p 8080:8080 -p 8081:8081 -v trcr-data:/app/data trcr
#
# Without TRCR_PG_URL the container starts the embedded PostgreSQL in /app/data (single node). For a cluster, pass
# TRCR_CLUSTER=true, TRCR_PG_URL, TRCR_JWT_SECRET, TRCR_CLUSTER_HOST (the container's reachable address),
# TRCR_CLUSTER_MEMBERS, and a fixed TRCR_EVENTBUS_PORT that you also publish (its default, 0, picks a random port).

# --- build ------------------------------------------------------------------------------------------------------------
FROM maven:3.9-eclipse-temurin-25 AS build
WORKDIR /src

COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
COPY conf/ conf/
COPY src/ src/
COPY verticles/ verticles/

# maven-toolchains' select-jdk-toolchain ([21,), useJdk=Never) discovers the image's JDK 25 through JAVA_HOME. The wrapper downloads the Maven version the project pins; the cache mount keeps ~/.m2 (the
# wrapper's Maven and the dependencies) between builds.
RUN --mount=type=cache,target=/root/.m2 \
    chmod +x mvnw && ./mvnw -B -q -DskipTests package

# --- run --------------------------------------------------------------------------------------------------------------
FROM eclipse-temurin:25-jre

# curl is only for the HEALTHCHECK: the Temurin JRE images (Ubuntu) do not ship it.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --system --user-group --uid 10001 --home-dir /app --no-create-home --shell /usr/sbin/nologin trcr

WORKDIR /app
COPY --from=build /src/target/trcr.jar /app/trcr.jar
# The embedded PostgreSQL (data and unpacked binaries) and the single-node JWT secret live here.
RUN mkdir -p /app/data && chown trcr:trcr /app/data
ENV TRCR_DATA_DIR=/app/data
VOLUME ["/app/data"]

USER trcr

# 8080 REST API and app, 8081 SockJS bridge, 5701 Hazelcast (cluster mode only), 9464 Prometheus /metrics (when
# TRCR_METRICS_PORT=9464; off by default). The TCP bridge for services is off unless TRCR_TCP_BRIDGE_PORT is set.
EXPOSE 8080 8081 5701 9464

# /health answers on the api port, and on the bridge port too (a bridge-only node has no api).
HEALTHCHECK --interval=30s --timeout=10s --start-period=90s --retries=3 \
  CMD curl -fsS --max-time 4 "http://127.0.0.1:${TRCR_HTTP_PORT:-8080}/health" >/dev/null \
   || curl -fsS --max-time 4 "http://127.0.0.1:${TRCR_BRIDGE_PORT:-8081}/health" >/dev/null \
   || exit 1

# JVM flags chosen with the fan-out benchmark (README, "Fan-out benchmark"); the same as pom.xml's exec:exec@run. G1 is
# named because a container limited to one CPU would otherwise get Serial, which had the worst p99 measured. -Xms1g and
# -XX:MaxTenuringThreshold=1 make G1's pauses rare and short (README, "G1's pauses"); give the container at least
# 1.5 GiB of memory, or lower -Xms to fit a smaller one.
ENTRYPOINT ["java","-XX:+UseG1GC","-XX:+UseCompactObjectHeaders","-Xms1g","-XX:MaxTenuringThreshold=1","-jar","/app/trcr.jar"]
