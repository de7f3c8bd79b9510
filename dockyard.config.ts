/**
 * The site's configuration: what a team changes to make Dockyard its own knowledge base.
 * Fields are described in site/config/site-config.ts and in content/README.md.
 */
import { defineSiteConfig } from './site/config/site-config.ts';

export default defineSiteConfig({
  languages: ['zh-cn', 'en'],
  title: { 'zh-cn': 'Dockyard · Docker 实战手册', en: 'Dockyard · The Docker Handbook' },
  sections: [
    { id: 'handbook', label: { 'zh-cn': 'Docker 手册', en: 'The Docker handbook' } },
    { id: 'beyond', label: { 'zh-cn': '超出笔记的内容', en: 'Beyond the notes' } },
    { id: 'reference', label: { 'zh-cn': '参考', en: 'Reference' } },
    { id: 'authoring', label: { 'zh-cn': '写作指南', en: 'Writing pages' } },
  ],
  // A team hosting its repository sets the address of its editor, e.g.
  // editLink: { baseUrl: 'https://git.example/team/docs/edit/main/' },
  lastUpdated: true,
});
