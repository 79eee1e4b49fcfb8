#!/usr/bin/env bash
# HEALTHCHECK for the disco images: exit 0 when GET /health answers 200, 1 otherwise.
# Plain bash (/dev/tcp), so it works in any base image that has bash: curl is not in every
# eclipse-temurin image any more.
port=${HTTP_PORT:-8080}
[ "$port" = 0 ] && exit 0 # a random port cannot be checked from here
exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
printf 'GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3
read -r -t 4 _ status _ <&3 || exit 1
[ "$status" = 200 ]
