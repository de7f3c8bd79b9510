import { describe, expect, it } from 'vitest';
import { extractNotesCommands, hasCjk, normalizeCommandText } from '../../scripts/lib/notes-commands.ts';

function texts(notes: string): string[] {
  return extractNotesCommands(notes).map((command) =>
    command.kind === 'command' ? command.text : `[${command.keyword}]`,
  );
}

describe('extractNotesCommands', () => {
  it('takes lines that start with docker or sudo, without trailing comments', () => {
    expect(texts('docker ps -l #列出运行的所有容器\nsudo docker pull busybox\n随便写点')).toEqual([
      'docker ps -l',
      'sudo docker pull busybox',
    ]);
  });

  it('joins backslash continuation lines', () => {
    expect(texts('sudo yum-config-manager \\\n--add-repo \\\nhttp://example.org/x.repo\n')).toEqual([
      'sudo yum-config-manager --add-repo http://example.org/x.repo',
    ]);
  });

  it('drops a comment glued to a full stop and keeps CJK placeholders', () => {
    expect(texts('docker run -it -v 主机目录：容器目录:权限 镜像名。#数据持久化')).toEqual([
      'docker run -it -v 主机目录：容器目录:权限 镜像名',
    ]);
  });

  it('ignores prose that merely starts with the word docker', () => {
    expect(texts('docker的帮助命令三个：\ndocker镜像命令-29个')).toEqual([]);
  });

  it('finds a command that starts a sentence after a colon or full stop', () => {
    expect(texts('运行hello world：docker run hello-world:latest。')).toEqual([
      'docker run hello-world:latest',
    ]);
    expect(texts('新建镜像。docker build -f mydockerfile -t 镜像名 生成目录')).toEqual([
      'docker build -f mydockerfile -t 镜像名 生成目录',
    ]);
  });

  it('finds an ASCII command inside a Chinese sentence', () => {
    expect(texts('3. 工具：安装docker 19.03 及之后，用docker run --gpus all启动docker。')).toEqual([
      'docker run --gpus all',
    ]);
  });

  it('reports Dockerfile instructions by keyword', () => {
    expect(texts('FROM ，scratch是最基础的镜像。\nMAINTAINER：维护者\nRUN：运行命令')).toEqual([
      '[FROM]',
      '[MAINTAINER]',
      '[RUN]',
    ]);
  });

  it('reports the line number of each command', () => {
    expect(extractNotesCommands('x\n\ndocker info').map((command) => command.line)).toEqual([3]);
  });
});

describe('normalizeCommandText', () => {
  it('collapses whitespace and continuations', () => {
    expect(normalizeCommandText('docker  run \\\n  -d   busybox')).toBe('docker run -d busybox');
  });
});

describe('hasCjk', () => {
  it('tells placeholders in Chinese from ASCII commands', () => {
    expect(hasCjk('docker top 容器id')).toBe(true);
    expect(hasCjk('docker run -v a：b')).toBe(true);
    expect(hasCjk('docker top web')).toBe(false);
  });
});
