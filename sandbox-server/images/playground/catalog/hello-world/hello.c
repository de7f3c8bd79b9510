/* Dockyard's own hello-world: a tiny static program that explains what just happened. */
#include <unistd.h>

static const char message[] =
    "\n"
    "Hello from Dockyard!\n"
    "你好，这里是 Dockyard！\n"
    "\n"
    "If you can read this, your Docker daemon works. Here is what it just did:\n"
    " 1. The docker command (the client) asked the Docker daemon to run the image \"hello-world\".\n"
    " 2. The daemon looked for the image locally and, if it was missing, pulled it from a registry.\n"
    " 3. It created a container from the image: a fresh, isolated file system and process space.\n"
    " 4. It started this program inside that container and streamed what it printed to your terminal.\n"
    "\n"
    "看到这段话，说明你的 Docker 守护进程工作正常。刚才发生了这些事：\n"
    " 1. docker 命令（客户端）请 Docker 守护进程运行镜像 \"hello-world\"。\n"
    " 2. 守护进程先在本地找这个镜像，找不到就从镜像仓库拉取。\n"
    " 3. 它用镜像创建了一个容器：独立的文件系统和进程空间。\n"
    " 4. 它在容器里启动了这个小程序，并把输出传回你的终端。\n"
    "\n"
    "Try next / 接下来试试：  docker run --rm busybox echo hi    docker ps -a    docker images\n"
    "\n"
    "This image was built locally by Dockyard; it is not the Docker Hub image of the same name.\n"
    "这个镜像由 Dockyard 在本地构建，并非 Docker Hub 上的同名镜像。\n"
    "\n";

int main(void) {
  const char *p = message;
  size_t left = sizeof message - 1;
  while (left > 0) {
    ssize_t n = write(1, p, left);
    if (n <= 0) return 1;
    p += n;
    left -= (size_t)n;
  }
  return 0;
}
