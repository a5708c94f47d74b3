#!/usr/bin/env bash
# Offline checks of deploy/terraform, deploy/scripts and deploy/packer (run by .ci/run):
#   terraform fmt -check, then per module and example: init (no backend, providers from a local mirror),
#   validate and `terraform test` (plan-only, mock_provider "aws"); shellcheck and the script tests (a fake aws
#   CLI); the Packer template's formatting (packer validate too when packer is installed).
# Settings: EDGEWAY_TF_PLUGIN_DIR (default /opt/tf-plugins; empty = download providers from the registry).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
deploy=$(dirname "$here")
plugin_dir=${EDGEWAY_TF_PLUGIN_DIR-/opt/tf-plugins}

# No user CLI config (provider mirrors, credentials helpers) changes what is checked.
TF_CLI_CONFIG_FILE=$(mktemp)
export TF_CLI_CONFIG_FILE TF_IN_AUTOMATION=1
trap 'rm -f "$TF_CLI_CONFIG_FILE"' EXIT

step() { printf '\n== %s\n' "$*"; }

step "terraform fmt -check -recursive"
terraform fmt -check -recursive -diff "$here"

init_args=(-backend=false -input=false -no-color)
[[ -n $plugin_dir ]] && init_args+=("-plugin-dir=$plugin_dir")
for dir in "$here"/modules/* "$here"/examples/*; do
  name=${dir#"$here"/}
  step "$name: init, validate, test"
  (
    cd "$dir"
    terraform init "${init_args[@]}" >/dev/null
    terraform validate -no-color
    if compgen -G "tests/*.tftest.hcl" >/dev/null; then
      terraform test -no-color
    else
      echo "no tests in $name" >&2
      exit 1
    fi
  )
done

step "shellcheck deploy/scripts"
shellcheck "$deploy"/scripts/*.sh "$deploy"/scripts/tests/*.sh "$deploy"/scripts/tests/fake-aws

step "script tests (fake aws CLI)"
for t in "$deploy"/scripts/tests/*.test.sh; do
  bash "$t"
done

step "packer template"
for f in "$deploy"/packer/*.pkr.hcl; do
  if command -v packer >/dev/null; then
    packer fmt -check -diff "$f"
    (cd "$(dirname "$f")" && packer init "$f" >/dev/null && packer validate -syntax-only "$f")
  else
    # Packer's formatter is HCL's (hclwrite), the same as terraform fmt: check the formatting with it.
    formatted=$(terraform fmt -no-color - <"$f")
    if [[ $formatted != "$(cat "$f")" ]]; then
      echo "$f is not formatted (terraform fmt - shows how)" >&2
      exit 1
    fi
    echo "$f: formatted; packer not installed, so not validated"
  fi
done
step "deploy checks passed"
