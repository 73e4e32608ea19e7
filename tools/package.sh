#!/usr/bin/env bash
# Builds what users install without a Rust toolchain, from this checkout, into dist/:
#   fifowin-<version>-py3-none-<platform>.whl  the binary + the Python launcher and pytest plugin
#   fifowin-<version>.tgz                      the npm package: startFifowin() and its types
#   fifowin-<platform>-<version>.tgz           @fifowin/<platform>: the binary, for npm
# One build of the binary (cargo profile `dist`, in CARGO_TARGET_DIR) serves both; no
# step downloads a binary. Needs cargo, python3 (maturin is installed from the package
# registry into a venv beside the build) and npm. Versions come from Cargo.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
dist="$root/dist"
rm -rf "$dist"
mkdir -p "$dist"
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
platform=$(node -p 'process.platform + "-" + process.arch')
[[ -d "packaging/npm/$platform" ]] || { echo "package.sh: no npm platform package for $platform (add packaging/npm/$platform)" >&2; exit 1; }

echo "== maturin (a venv under $CARGO_TARGET_DIR)"
venv="$CARGO_TARGET_DIR/package-venv"
if [[ ! -x "$venv/bin/maturin" ]]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "maturin>=1.5,<2"
fi
"$venv/bin/maturin" --version

echo "== the wheel: cargo build --profile dist, then the wheel around the binary"
(cd packaging/python && "$venv/bin/maturin" build --locked --out "$dist")
binary="$CARGO_TARGET_DIR/dist/fifowin"
[[ -x "$binary" ]] || { echo "package.sh: maturin left no $binary" >&2; exit 1; }

echo "== the npm packages (version $version, platform $platform)"
stage="$CARGO_TARGET_DIR/npm-stage"
rm -rf "$stage"
mkdir -p "$stage"
cp -r "packaging/npm/$platform" "$stage/platform"
mkdir -p "$stage/platform/bin"
cp "$binary" "$stage/platform/bin/fifowin"
cp -r packaging/npm/fifowin "$stage/main"
# Every package.json gets Cargo.toml's version, and the main package pins its platform packages to it.
node - "$version" "$stage/platform/package.json" "$stage/main/package.json" <<'JS'
const fs = require("node:fs");
const [version, ...files] = process.argv.slice(2);
for (const file of files) {
  const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
  pkg.version = version;
  for (const name of Object.keys(pkg.optionalDependencies || {})) pkg.optionalDependencies[name] = version;
  fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + "\n");
}
JS
(cd "$stage/platform" && npm pack --silent --pack-destination "$dist" >/dev/null)
(cd "$stage/main" && npm pack --silent --pack-destination "$dist" >/dev/null)

echo "== dist/"
ls -l "$dist"
