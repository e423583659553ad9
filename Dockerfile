# cpsim in a container:
#   docker build -t cpsim . && docker run --rm -p 127.0.0.1:8080:8080 -p 127.0.0.1:8081:8081 cpsim
# then open http://127.0.0.1:8080/ (the demos are served from http://localhost:8081,
# another site, as a customer's extension is in production). The ports are
# published on this machine's loopback only; the README's "In a container"
# says how to open cpsim to other machines deliberately.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# A static binary: no C library needed at run time.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/cpsim ./cmd/cpsim

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/cpsim /cpsim
USER nonroot:nonroot
EXPOSE 8080 8081
# Inside the container cpsim listens on every address; the browser reaches it
# through the published ports, at the URLs given here. It answers only to the
# loopback names and the hosts of these URLs (-allowed-host adds one), a
# defence against DNS rebinding. Override them (or any flag, or its CPSIM_*
# environment twin) with docker run arguments.
ENTRYPOINT ["/cpsim", "-addr", "0.0.0.0:8080", "-demo-addr", "0.0.0.0:8081", "-panel-url", "http://127.0.0.1:8080", "-demo-url", "http://localhost:8081"]
