#!/bin/sh
# Test only: a native-messaging host that fails at once, as a broken tactful
# install would (the end-to-end test checks what the popup says about it).
echo "tactful: broken on purpose (e2e)" >&2
: > "$TACTFUL_E2E_DIR/broken-host-ran"
exit 3
