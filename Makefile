# kvick -- one plain Makefile.
#
#   make            build ./kvick, one fully static binary
#   make deps       install what is missing (apt packages; static libpci and
#                   libpcap built from Debian's source packages)
#   make run        deps + build + the demo topology on the hardware model
#   make test       deps + every test (unit tests under ASan/UBSan, model
#                   tests, kernel end-to-end tests); ends with "N passed, N failed"
#   make bench      the benchmarks (figures go to docs/performance.md by hand)
#
# Sources are found by directory: a new app is one file in apps/, and
# nothing here needs to change.

CC      ?= gcc
DEPS    := build/deps
WARN    := -Wall -Wextra -Wshadow -Wpointer-arith -Wstrict-prototypes \
           -Wmissing-prototypes -Wno-unused-parameter
CFLAGS_COMMON := -std=gnu11 -g -D_GNU_SOURCE -I. -I$(DEPS)/include $(WARN) \
           -fno-strict-aliasing
REL_CFLAGS  := $(CFLAGS_COMMON) -O2
ASAN_CFLAGS := $(CFLAGS_COMMON) -O1 -fno-omit-frame-pointer \
               -fsanitize=address,undefined -fno-sanitize-recover=undefined \
               -DKVICK_TEST_BUILD

# Static libraries, in link order.  libxdp/libbpf need libelf, which needs
# zlib and zstd.
LIBS    := -L$(DEPS)/lib -lxdp -lbpf -lpcap -lpci -lnuma -lelf -lzstd -lz -lpthread -lm

LIB_SRC  := $(wildcard core/*.c links/*.c apps/*.c driver/*.c hw-sim/*.c cli/*.c)
LIB_SRC  := $(filter-out cli/main.c,$(LIB_SRC))
HDRS     := $(wildcard core/*.h links/*.h apps/*.h driver/*.h hw-sim/*.h cli/*.h)
REL_OBJ  := $(LIB_SRC:%.c=build/rel/%.o)
ASAN_OBJ := $(LIB_SRC:%.c=build/asan/%.o)
TEST_SRC := $(wildcard tests/unit/test_*.c)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=build/asan/tests/%)

VERSION  := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

.PHONY: all deps run test test-unit test-e2e test-vm bench clean docs
all: kvick

$(DEPS)/.stamp: scripts/deps.sh
	bash scripts/deps.sh

deps:
	bash scripts/deps.sh

build/rel/%.o: %.c $(HDRS) $(DEPS)/.stamp
	@mkdir -p $(dir $@)
	$(CC) $(REL_CFLAGS) -c -o $@ $<

build/asan/%.o: %.c $(HDRS) $(DEPS)/.stamp
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_CFLAGS) -c -o $@ $<

kvick: build/rel/cli/main.o $(REL_OBJ)
	$(CC) -static -o $@ $^ $(LIBS) -DKVICK_VERSION='"$(VERSION)"'
	@file $@ | grep -q 'statically linked' || (echo "kvick is not static" >&2; exit 1)

build/rel/cli/main.o: cli/main.c $(HDRS) $(DEPS)/.stamp
	@mkdir -p $(dir $@)
	$(CC) $(REL_CFLAGS) -DKVICK_VERSION='"$(VERSION)"' -c -o $@ $<

build/asan/kvick: build/asan/cli/main.o $(ASAN_OBJ)
	$(CC) -fsanitize=address,undefined -o $@ $^ $(LIBS)

build/asan/tests/%: tests/unit/%.c $(ASAN_OBJ) tests/unit/testlib.h
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_CFLAGS) -o $@ $< $(ASAN_OBJ) -fsanitize=address,undefined $(LIBS) -lcmocka

run: deps kvick
	bash scripts/demo.sh

test: deps kvick build/asan/kvick $(TEST_BIN)
	bash tests/run.sh

test-unit: deps build/asan/kvick $(TEST_BIN)
	bash tests/run.sh --unit

test-vm: deps kvick
	bash tests/vm/run.sh
	bash tests/vm/igb.sh
	bash tests/vm/vhost.sh

bench: deps kvick
	bash bench/run.sh
	bash bench/generator.sh

docs: kvick
	./kvick apps --markdown > docs/apps.md

clean:
	rm -rf build/rel build/asan kvick
