#!/usr/bin/env bash
# Credit reports (loanhub/reports) embed a CJK TrueType font in their PDFs, and their
# tests read PDFs back with poppler-utils (pdftotext, pdftoppm). Install both when
# missing and we can (root, or password-less sudo, with apt-get); otherwise say
# exactly what to install. Never fails: without the font the portal still runs and
# report generation shows a clear error instead of a broken PDF.
#   LOANHUB_REPORT_FONT=/path/to/font.ttc   use another TrueType font instead
set -uo pipefail
FONT_FILES=(/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc /usr/share/fonts/truetype/wqy/wqy-microhei.ttc)
have_font() {
  if [ -n "${LOANHUB_REPORT_FONT:-}" ] && [ -f "${LOANHUB_REPORT_FONT%%#*}" ]; then return 0; fi
  for f in "${FONT_FILES[@]}"; do [ -f "$f" ] && return 0; done
  return 1
}
missing=()
have_font || missing+=(fonts-wqy-zenhei)
command -v pdftotext >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO="missing"
if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; fi
fi
if [ "$SUDO" != "missing" ]; then
  echo "== installing ${missing[*]} for credit reports (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  if $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    exit 0
  fi
  echo "apt-get could not install ${missing[*]}." >&2
fi
echo "Credit reports need: ${missing[*]}. Install them with" >&2
echo "    sudo apt-get install fonts-wqy-zenhei poppler-utils" >&2
echo "(or set LOANHUB_REPORT_FONT to a TrueType CJK font). Until then the portal runs," >&2
echo "but generating a report shows an error and the report tests fail." >&2
exit 0
