# `make proto` regenerates client/pb/ from proto/ with the plugin versions
# pinned by go.mod's tool lines. Included from the top-level Makefile.
# Needs protoc (Debian: protobuf-compiler, 3.21); the output records the
# protoc version, so regenerate with the same one to get identical files.

PROTOC ?= protoc
PROTO_SRC := $(shell find proto -name '*.proto' | sort)
PROTO_PLUGINS := bin/protoc-plugins

.PHONY: proto proto-plugins

proto: proto-plugins
	rm -rf client/pb
	$(PROTOC) -I proto \
	  --plugin=protoc-gen-go=$(PROTO_PLUGINS)/protoc-gen-go \
	  --plugin=protoc-gen-go-grpc=$(PROTO_PLUGINS)/protoc-gen-go-grpc \
	  --go_out=. --go_opt=module=github.com/hatchtop/hatchtop \
	  --go-grpc_out=. --go-grpc_opt=module=github.com/hatchtop/hatchtop \
	  $(PROTO_SRC:proto/%=%)

# The plugins come from go.mod's `tool` lines, so their versions are pinned.
proto-plugins:
	@mkdir -p $(PROTO_PLUGINS)
	$(GO) build -o $(PROTO_PLUGINS)/protoc-gen-go google.golang.org/protobuf/cmd/protoc-gen-go
	$(GO) build -o $(PROTO_PLUGINS)/protoc-gen-go-grpc google.golang.org/grpc/cmd/protoc-gen-go-grpc
