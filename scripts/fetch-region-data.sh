#!/usr/bin/env bash
# Fetch the national Kemendagri region list (Kepmendagri 300.2.2-2138/2025) from the npm
# package idn-area-data and bundle it under regions/data/. Node/npm is needed only here,
# never at runtime. Re-running with the same version yields byte-identical files.
#
# Usage: scripts/fetch-region-data.sh [version]   (default 4.0.1)
set -euo pipefail

PACKAGE="idn-area-data"
VERSION="${1:-4.0.1}"
DECREE="Kepmendagri No. 300.2.2-2138 Tahun 2025"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="${REPO_ROOT}/regions/data"

command -v npm >/dev/null || { echo "npm is required to fetch the region data" >&2; exit 1; }

WORK="$(mktemp -d)"
trap 'rm -rf "${WORK}"' EXIT

(cd "${WORK}" && npm pack --silent "${PACKAGE}@${VERSION}" >/dev/null)
TARBALL="${WORK}/${PACKAGE}-${VERSION}.tgz"
[ -f "${TARBALL}" ] || { echo "npm pack did not produce ${TARBALL}" >&2; exit 1; }
SHA256="$(sha256sum "${TARBALL}" | cut -d' ' -f1)"

tar -xzf "${TARBALL}" -C "${WORK}"
SRC="${WORK}/package/data"
for f in provinces.csv regencies.csv districts.csv villages.csv LICENSE.md; do
  [ -f "${SRC}/${f}" ] || { echo "missing ${f} in ${PACKAGE}@${VERSION}" >&2; exit 1; }
done

mkdir -p "${DEST}"
rm -f "${DEST}"/provinces.csv "${DEST}"/regencies.csv "${DEST}"/districts.csv \
  "${DEST}"/villages.csv "${DEST}"/villages.csv.gz

# Small files stay plain text (readable diffs); files over 1 MB are gzipped
# (-n: no name/timestamp, so the output is reproducible).
for f in provinces.csv regencies.csv districts.csv villages.csv; do
  size="$(stat -c %s "${SRC}/${f}")"
  if [ "${size}" -gt 1000000 ]; then
    gzip -9 -n -c "${SRC}/${f}" > "${DEST}/${f}.gz"
  else
    cp "${SRC}/${f}" "${DEST}/${f}"
  fi
done
cp "${SRC}/LICENSE.md" "${DEST}/LICENSE"

count() { # data rows of a (possibly gzipped) CSV; quoted names contain no newlines
  if [ -f "${DEST}/$1.gz" ]; then zcat "${DEST}/$1.gz" | tail -n +2 | wc -l
  else tail -n +2 "${DEST}/$1" | wc -l; fi
}
N_PROV="$(count provinces.csv)"
N_REG="$(count regencies.csv)"
N_DIST="$(count districts.csv)"
N_VILL="$(count villages.csv)"

cat > "${DEST}/source.json" <<EOF
{
  "package": "${PACKAGE}",
  "version": "${VERSION}",
  "tarball_sha256": "${SHA256}",
  "decree": "${DECREE}",
  "license": "ODbL-1.0",
  "counts": {"provinces": ${N_PROV}, "regencies": ${N_REG}, "districts": ${N_DIST}, "villages": ${N_VILL}}
}
EOF

cat > "${DEST}/SOURCE.md" <<EOF
# Sumber data wilayah / Region data source

- Package: \`${PACKAGE}\` version \`${VERSION}\` from the npm registry
  (upstream: github.com/fityannugroho/idn-area-data, by Fityan Nugroho)
- Tarball: \`${PACKAGE}-${VERSION}.tgz\`, sha256 \`${SHA256}\`
- Legal basis of the codes: ${DECREE} tentang Pemberian dan Pemutakhiran Kode,
  Data Wilayah Administrasi Pemerintahan, dan Pulau (ditetapkan 25 April 2025); the row counts
  below match that decree's totals (38 / 514 / 7,285 / 83,762)
- Rows: ${N_PROV} provinsi, ${N_REG} kabupaten/kota, ${N_DIST} kecamatan, ${N_VILL} desa/kelurahan
- Files: provinces.csv, regencies.csv, districts.csv (verbatim), villages.csv.gz (verbatim, gzip -9 -n)
- Licence of the data: Open Database License (ODbL) 1.0, full text in \`LICENSE\`
  (the package's JavaScript code is MIT-licensed; none of it is bundled here)
- Regenerate: \`scripts/fetch-region-data.sh ${VERSION}\`

## Attribution

Data wilayah administrasi: ${PACKAGE} ${VERSION} © Fityan Nugroho dan kontributor,
berdasarkan ${DECREE}, dilisensikan di bawah Open Database License (ODbL) 1.0.
EOF

echo "${PACKAGE}@${VERSION} sha256=${SHA256}: ${N_PROV} provinces, ${N_REG} regencies," \
  "${N_DIST} districts, ${N_VILL} villages -> ${DEST}"
