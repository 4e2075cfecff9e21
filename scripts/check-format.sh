#!/usr/bin/env bash
# Checks that every C++ file under shared/ services/ tests/ bench/ fuzz/ is formatted as .clang-format
# says. Exit 1 and the offending files (with clang-format's warnings) when one is not; --fix formats
# them in place instead. Needs clang-format 14 (Debian 12's clang-format-14; another major version
# formats some constructs differently, so the check pins it).
set -euo pipefail
cd "$(dirname "$0")/.."

fix=0
case "${1:-}" in
  --fix) fix=1 ;;
  "") ;;
  *) echo "usage: $0 [--fix]" >&2; exit 2 ;;
esac

formatter=${CLANG_FORMAT:-}
if [[ -z $formatter ]]; then
  for candidate in clang-format-14 clang-format; do
    if command -v "$candidate" >/dev/null && "$candidate" --version | grep -q 'version 14\.'; then
      formatter=$candidate
      break
    fi
  done
fi
if [[ -z $formatter ]]; then
  echo "check-format: clang-format 14 not found (apt-get install clang-format-14, or set CLANG_FORMAT)" >&2
  exit 1
fi

mapfile -t files < <(find shared services tests bench fuzz \( -name node_modules -prune \) -o \
                       -type f \( -name '*.cpp' -o -name '*.h' \) -print | sort)
if ((fix)); then
  "$formatter" -i --style=file "${files[@]}"
  echo "check-format: formatted ${#files[@]} files"
  exit 0
fi

# One clang-format run over every file (not one process per file); its warnings name each file that
# differs as "path:line:col: error: code should be clang-formatted".
warnings=$(mktemp)
trap 'rm -f "$warnings"' EXIT
if ! "$formatter" --dry-run --Werror --style=file "${files[@]}" 2>"$warnings"; then
  mapfile -t failed < <(grep -oE '^[^:]+:[0-9]+:[0-9]+: error' "$warnings" | cut -d: -f1 | sort -u)
  head -n 60 "$warnings" >&2  # the first differences; --fix shows them all
  echo >&2
  if ((${#failed[@]} == 0)); then
    echo "check-format: clang-format failed:" >&2
    cat "$warnings" >&2
    exit 1
  fi
  echo "check-format: ${#failed[@]} of ${#files[@]} files are not formatted as .clang-format says:" >&2
  printf '  %s\n' "${failed[@]}" >&2
  echo "Run scripts/check-format.sh --fix (clang-format 14) and commit the result." >&2
  exit 1
fi
echo "check-format: ${#files[@]} files formatted as .clang-format says"
