import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import ElementPlus from 'element-plus';
import zhCn from 'element-plus/es/locale/lang/zh-cn';
import 'element-plus/dist/index.css';
import { createApp } from 'vue';
import App from './App.vue';
import { setUnauthorizedHandler } from './api/http';
import { clearSession } from './api/session-store';
import { router } from './router';
import './shared/app.css';

// Date pickers: weeks start on Monday, month and day names in Chinese.
dayjs.locale('zh-cn');

setUnauthorizedHandler(() => {
  clearSession();
  void router.push({ name: 'login', query: { expired: '1' } });
});

createApp(App).use(ElementPlus, { locale: zhCn }).use(router).mount('#app');
