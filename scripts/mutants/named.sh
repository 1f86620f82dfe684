#!/usr/bin/env bash
# The named mutants: deliberate bugs that once passed the whole suite (issue 11). Each patch
# in scripts/mutants/named/ is applied to a copy of the working tree, and the tests its
# first line names must then fail. Exit 1 if any mutant survives.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
python=${PYTHON:-$root/.venv/bin/python}
survived=0
for patch in scripts/mutants/named/*.patch; do
    tests=$(sed -n 's/^# tests: //p' "$patch" | head -n 1)
    work=$(mktemp -d)
    git ls-files -co --exclude-standard -z | tar --null -T - -cf - | tar -xf - -C "$work"
    git -C "$work" init -q
    if ! git -C "$work" apply "$root/$patch" 2>"$work/apply.log"; then
        echo "STALE     $(basename "$patch")  (no longer applies: write it again on today's code)"
        survived=1
        rm -rf "$work"
        continue
    fi
    # shellcheck disable=SC2086 # the test selection is a list of words
    if (cd "$work" && PYTHONPATH="$work" "$python" -m pytest -q -x -p no:cacheprovider \
            -m "not postgres" $tests >"$work/pytest.log" 2>&1); then
        echo "SURVIVED  $(basename "$patch")  ($tests)"
        survived=1
    else
        echo "killed    $(basename "$patch")  by $(grep -m1 -oE '^FAILED [^ ]+' "$work/pytest.log" || echo '?')"
    fi
    rm -rf "$work"
done
exit $survived
