#!/usr/bin/env bash
# Installs the built provider into a filesystem mirror and writes a Terraform CLI
# configuration that uses it (and, when present, the machine's hashicorp/aws mirror).
#
#   scripts/install-provider.sh BUILD_DIR DEST_DIR
#
# Afterwards: export TF_CLI_CONFIG_FILE=DEST_DIR/terraform.rc
# Layout (Terraform "unpacked" mirror layout):
#   DEST_DIR/mirror/registry.terraform.io/firefly/dynamodb/0.1.0/linux_amd64/
#       terraform-provider-dynamodb_v0.1.0   the executable (our layers linked in statically)
set -euo pipefail
build=${1:?build dir}
dest=${2:?destination dir}
version=0.1.0
arch=linux_amd64
pkg="$dest/mirror/registry.terraform.io/firefly/dynamodb/$version/$arch"
mkdir -p "$pkg"
install -m 0755 "$build/terraform-provider-dynamodb" "$pkg/terraform-provider-dynamodb_v$version"

peer_mirror=""
for d in /opt/tf-plugins; do
  [[ -d $d/registry.terraform.io/hashicorp/aws ]] && peer_mirror=$d
done

{
  echo 'provider_installation {'
  echo "  filesystem_mirror {"
  echo "    path    = \"$dest/mirror\""
  echo '    include = ["registry.terraform.io/firefly/dynamodb"]'
  echo '  }'
  if [[ -n $peer_mirror ]]; then
    echo "  filesystem_mirror {"
    echo "    path    = \"$peer_mirror\""
    echo '    include = ["registry.terraform.io/hashicorp/aws"]'
    echo '  }'
  fi
  echo '  direct {'
  echo '    exclude = ["registry.terraform.io/firefly/dynamodb", "registry.terraform.io/hashicorp/aws"]'
  echo '  }'
  echo '}'
} > "$dest/terraform.rc"
echo "$dest/terraform.rc"
