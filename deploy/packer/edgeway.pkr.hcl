# The Edgeway AMI: Debian 12, a Java runtime, the edgeway package of one release, the CloudWatch agent and the
# boot-time secrets fetcher. Both roles (control plane, proxy) boot from it; the Terraform user data picks the
# role. Nothing secret is baked in: secrets come from SSM at every boot. With a JDK 25+ java_package the proxy's
# AOT cache is trained into the image (issue 21).
#
#   packer init deploy/packer/edgeway.pkr.hcl
#   packer build -var region=eu-west-1 -var release_version=1.4.0 \
#     -var edgeway_deb=target/edgeway_1.4.0_all.deb deploy/packer/edgeway.pkr.hcl
#
# The resulting AMI id goes to Terraform's ami_id, with the same release_version.

packer {
  required_plugins {
    amazon = {
      source  = "github.com/hashicorp/amazon"
      version = ">= 1.3.0"
    }
  }
}

variable "region" {
  type = string
}

variable "release_version" {
  type        = string
  description = "Version of the edgeway package; checked against the .deb and tagged on the AMI."
}

variable "edgeway_deb" {
  type        = string
  description = "Local path of edgeway_<version>_all.deb (the tested CI artifact; checksum verified by CI)."
}

variable "java_package" {
  type        = string
  default     = "openjdk-17-jre-headless"
  description = "The image's only Java. A JDK 25 or later gets the proxy's AOT cache trained into the image (edgeway-image-train.sh)."
}

variable "instance_type" {
  type    = string
  default = "t3.small"
}

variable "subnet_id" {
  type        = string
  default     = null
  description = "Build subnet (needs outbound HTTPS for Debian mirrors and the CloudWatch agent)."
}

variable "cloudwatch_agent_key_fingerprint" {
  type        = string
  default     = "937616F3450B7D806CBD9725D58167303B789C72"
  description = "GPG fingerprint of the CloudWatch agent's signing key, as published in the AWS documentation."
}

locals {
  ami_name = "edgeway-${var.release_version}-${formatdate("YYYYMMDDhhmmss", timestamp())}"
}

source "amazon-ebs" "debian12" {
  region        = var.region
  instance_type = var.instance_type
  subnet_id     = var.subnet_id
  ssh_username  = "admin"
  ami_name      = local.ami_name
  imds_support  = "v2.0"
  encrypt_boot  = true

  # Debian's official images (account 136693071363).
  source_ami_filter {
    filters = {
      name                = "debian-12-amd64-*"
      architecture        = "x86_64"
      virtualization-type = "hvm"
      root-device-type    = "ebs"
    }
    owners      = ["136693071363"]
    most_recent = true
  }

  launch_block_device_mappings {
    device_name           = "/dev/xvda"
    volume_size           = 8
    volume_type           = "gp3"
    delete_on_termination = true
  }

  tags = {
    Name              = local.ami_name
    "edgeway:release" = var.release_version
    "edgeway:base"    = "{{ .SourceAMIName }}"
  }
}

build {
  sources = ["source.amazon-ebs.debian12"]

  provisioner "file" {
    source      = var.edgeway_deb
    destination = "/tmp/edgeway.deb"
  }

  provisioner "file" {
    source      = "${path.root}/../scripts/edgeway-secrets.sh"
    destination = "/tmp/edgeway-secrets.sh"
  }

  provisioner "file" {
    source      = "${path.root}/files/edgeway-secrets.service"
    destination = "/tmp/edgeway-secrets.service"
  }

  provisioner "file" {
    source      = "${path.root}/../scripts/edgeway-image-train.sh"
    destination = "/tmp/edgeway-image-train.sh"
  }

  provisioner "shell" {
    execute_command = "sudo -E sh -eux '{{ .Path }}'"
    environment_vars = [
      "DEBIAN_FRONTEND=noninteractive",
      "RELEASE_VERSION=${var.release_version}",
      "JAVA_PACKAGE=${var.java_package}",
      "CWA_FINGERPRINT=${var.cloudwatch_agent_key_fingerprint}",
    ]
    inline = [
      # The .deb must be the release the AMI is named and tagged for.
      "test \"$(dpkg-deb -f /tmp/edgeway.deb Version)\" = \"$RELEASE_VERSION\"",
      "apt-get update",
      "apt-get -y upgrade",
      # Everything a boot needs, so that scale-out installs nothing from the internet.
      "apt-get install -y --no-install-recommends \"$JAVA_PACKAGE\" awscli ca-certificates curl gnupg",
      "apt-get install -y /tmp/edgeway.deb",
      # One image, two roles: the user data enables the role's unit once its settings are written.
      "systemctl disable --now edgeway-control-plane.service edgeway-dataplane.service edgeway-lifecycle-drain.service || true",
      "install -m 0755 /tmp/edgeway-secrets.sh /usr/local/sbin/edgeway-secrets",
      "install -m 0644 /tmp/edgeway-secrets.service /etc/systemd/system/edgeway-secrets.service",
      # Issue 21: on JDK 25+ the proxy's AOT cache is trained here, once, so that no node records it at its first
      # stop (~35 s, close to the unit's TimeoutStopSec) and every node maps it from its first start. On JDK 17
      # the script says so and does nothing. Not in the .deb's postinst: see the comment there.
      "sh /tmp/edgeway-image-train.sh",
      # The CloudWatch agent (the refresh's 5xx alarm reads the proxies' counters through it), signature checked.
      "curl -fsSL -o /tmp/cwa.deb https://amazoncloudwatch-agent.s3.amazonaws.com/debian/amd64/latest/amazon-cloudwatch-agent.deb",
      "curl -fsSL -o /tmp/cwa.deb.sig https://amazoncloudwatch-agent.s3.amazonaws.com/debian/amd64/latest/amazon-cloudwatch-agent.deb.sig",
      "curl -fsSL -o /tmp/cwa.gpg https://amazoncloudwatch-agent.s3.amazonaws.com/assets/amazon-cloudwatch-agent.gpg",
      "export GNUPGHOME=$(mktemp -d) && gpg --batch --import /tmp/cwa.gpg && gpg --batch --with-colons --fingerprint | grep -q \"^fpr:::::::::$CWA_FINGERPRINT:\" && gpg --batch --verify /tmp/cwa.deb.sig /tmp/cwa.deb",
      "apt-get install -y /tmp/cwa.deb",
      "systemctl daemon-reload",
      # Nothing from the build left behind: no package lists, no build files, no host keys or machine id.
      "rm -f /tmp/edgeway.deb /tmp/cwa.* /tmp/edgeway-secrets.* /tmp/edgeway-image-train.sh",
      "apt-get clean && rm -rf /var/lib/apt/lists/*",
      "rm -f /etc/ssh/ssh_host_* && truncate -s 0 /etc/machine-id",
      "cloud-init clean --logs",
    ]
  }
}
