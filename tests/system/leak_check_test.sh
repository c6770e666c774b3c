#!/usr/bin/env bash
# The sanitizer build's LeakSanitizer works with SystemC (issue 19, item 8): a program whose
# threads ran must exit 0 every time (before the fix about one run in five crashed, "Tracer
# caught signal 11", scanning a freed coroutine stack as the main thread's), and a real leak
# must still be reported. usage: leak_check_test.sh PATH/leak-probe
set -uo pipefail
probe=$1
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
for i in $(seq 1 25); do
    if ! out=$("$probe" 2>&1); then
        echo "run $i of a leak-free program failed:"; echo "$out"; exit 1
    fi
done
out=$("$probe" --leak 2>&1) && { echo "a real leak was not reported"; exit 1; }
grep -q "LeakSanitizer: detected memory leaks" <<<"$out" || { echo "no leak report:"; echo "$out"; exit 1; }
grep -q "68 byte(s) in 1 object(s)" <<<"$out" || { echo "not exactly the one leaked block:"; echo "$out"; exit 1; }
echo "ok: 25 clean runs, the leak reported"
