/** The words of the overhead chart (site/components/OverheadChart.astro) in the site's two languages. */
import type { VariantId, WorkloadId } from '../../bench-results/overhead-results.ts';

export type ChartLang = 'zh-cn' | 'en';

export interface ChartStrings {
  workloads: Record<WorkloadId, string>;
  variants: Record<VariantId, string>;
  /** Variant names in the file workloads, where "runc"/"gVisor" alone would hide where the file lives. */
  layerVariants: Partial<Record<VariantId, string>>;
  lowerIsBetter: string;
  higherIsBetter: string;
  relativeTo: (slowdown: string) => string;
  caption: (details: {
    date: string;
    rounds: number;
    cpu: string;
    cores: number;
    kernel: string;
    docker: string;
    storageDriver: string;
    cgroupVersion: string;
    gvisor: string | null;
    load: string;
  }) => string;
  legend: string;
  /** Name of the scrollable group of charts. */
  chartsLabel: string;
  tableCaption: string;
  columns: { variant: string; median: string; spread: string; relative: string };
}

const zh: ChartStrings = {
  workloads: {
    cpu: 'CPU 密集循环（耗时）',
    spawn: '创建进程 fork + exec（每个进程耗时）',
    write: '顺序写 128 MiB 并 fsync（吞吐量）',
    'small-files': '小文件：创建、写入 4 KiB、删除（每个文件耗时）',
    'first-write': '修改 64 MiB 文件中的 1 个字节（耗时）',
    'tcp-throughput': '本机 TCP 吞吐量',
    'tcp-rtt': '本机 TCP 往返延迟（64 字节请求/应答）',
  },
  variants: {
    native: '宿主机直接运行',
    runc: '容器（runc）',
    'runc-volume': 'runc · 数据卷',
    runsc: 'gVisor（runsc）',
    'runsc-volume': 'gVisor · 数据卷',
    'host-network': 'runc · --network host',
    'bridge-published': 'runc · 桥接，-p 端口映射',
    'bridge-direct': 'runc · 桥接，直连容器 IP',
    'runsc-loopback': 'gVisor · 沙箱内回环',
  },
  layerVariants: { runc: 'runc · 容器可写层', runsc: 'gVisor · 容器可写层' },
  lowerIsBetter: '越低越好',
  higherIsBetter: '越高越好',
  relativeTo: (slowdown) => `相对宿主机 ${slowdown}`,
  caption: ({ date, rounds, cpu, cores, kernel, docker, storageDriver, cgroupVersion, gvisor, load }) =>
    `${date} 在本站的构建机上测得：${cpu}，${cores} 核，Linux ${kernel}，Docker Engine ${docker}（存储驱动 ${storageDriver}，cgroup v${cgroupVersion}）` +
    `${gvisor ? `，gVisor ${gvisor}` : ''}；每项 ${rounds} 轮；测量期间的系统负载（1 分钟平均）${load}。`,
  legend: '条形为中位数，细线为最小值到最大值的范围；“×”为相对宿主机的倍数（×1 = 一样快，×2 = 慢一倍）。',
  chartsLabel: '容器开销测量图',
  tableCaption: '测量数据',
  columns: { variant: '运行方式', median: '中位数', spread: '最小 – 最大', relative: '相对宿主机' },
};

const en: ChartStrings = {
  workloads: {
    cpu: 'CPU-bound loop (time)',
    spawn: 'Process creation, fork + exec (time per process)',
    write: 'Sequential write of 128 MiB with fsync (throughput)',
    'small-files': 'Small files: create, write 4 KiB, delete (time per file)',
    'first-write': 'Changing 1 byte of a 64 MiB file (time)',
    'tcp-throughput': 'Loopback TCP throughput',
    'tcp-rtt': 'Loopback TCP round trip (64-byte request/response)',
  },
  variants: {
    native: 'Native (on the host)',
    runc: 'Container (runc)',
    'runc-volume': 'runc · volume',
    runsc: 'gVisor (runsc)',
    'runsc-volume': 'gVisor · volume',
    'host-network': 'runc · --network host',
    'bridge-published': 'runc · bridge, -p published port',
    'bridge-direct': 'runc · bridge, container IP',
    'runsc-loopback': 'gVisor · loopback in the sandbox',
  },
  layerVariants: { runc: 'runc · writable layer', runsc: 'gVisor · writable layer' },
  lowerIsBetter: 'lower is better',
  higherIsBetter: 'higher is better',
  relativeTo: (slowdown) => `${slowdown} native`,
  caption: ({ date, rounds, cpu, cores, kernel, docker, storageDriver, cgroupVersion, gvisor, load }) =>
    `Measured on ${date} on this site's build machine: ${cpu}, ${cores} cores, Linux ${kernel}, ` +
    `Docker Engine ${docker} (storage driver ${storageDriver}, cgroup v${cgroupVersion})${gvisor ? `, gVisor ${gvisor}` : ''}; ${rounds} rounds per figure; ` +
    `load average (1 minute) ${load} during the run.`,
  legend:
    'Bars are medians, thin lines span the minimum to the maximum; “×” is the cost relative to native (×1 = as fast, ×2 = twice as slow).',
  chartsLabel: 'Container overhead charts',
  tableCaption: 'The measurements',
  columns: { variant: 'Variant', median: 'Median', spread: 'Min – max', relative: 'vs native' },
};

export function chartStrings(lang: ChartLang): ChartStrings {
  return lang === 'en' ? en : zh;
}
