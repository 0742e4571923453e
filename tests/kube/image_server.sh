# SPDX-License-Identifier: MulanPSL-2.0
# Sourced by the kube loop tests (proxy_loop_test.sh, proxy_nodes_test.sh).
#   image_server_start DIR
# KubeOS 2.0.0 as a root filesystem tar (DIR/www/kubeos-2.0.0.tar, os-release only), a throwaway
# CA (DIR/ca.crt) with a server certificate for 127.0.0.1, and nginx serving DIR/www over HTTPS
# in the background (pid in DIR/nginx.pid). Sets image_port and image_checksum.
image_server_start() {
  local dir=$1
  mkdir -p "$dir/www" "$dir/tree"/{etc,usr/lib,persist,boot/efi,proc,run}
  printf 'NAME="KubeOS"\nVERSION="2.0.0"\nID=kubeos\nPRETTY_NAME="KubeOS 2.0.0"\n' \
    >"$dir/tree/usr/lib/os-release"
  ln -sf ../usr/lib/os-release "$dir/tree/etc/os-release"
  tar -C "$dir/tree" -cf "$dir/www/kubeos-2.0.0.tar" .
  image_checksum=$(sha256sum "$dir/www/kubeos-2.0.0.tar" | cut -d' ' -f1)
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=kube test CA" \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=server" -keyout "$dir/server.key" \
    -out "$dir/server.csr" 2>/dev/null
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
    -CAcreateserial -days 2 -out "$dir/server.crt" \
    -extfile <(printf 'subjectAltName=IP:127.0.0.1\n') 2>/dev/null
  image_port=$((20000 + RANDOM % 20000))
  cat >"$dir/nginx.conf" <<NGINX
daemon off;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log;
events {}
http {
  access_log $dir/nginx-access.log;
  server {
    listen 127.0.0.1:$image_port ssl;
    ssl_certificate $dir/server.crt;
    ssl_certificate_key $dir/server.key;
    root $dir/www;
  }
}
NGINX
  nginx -c "$dir/nginx.conf" -e "$dir/nginx-error.log" &
}
