"""A mixed Chinese/English retrieval corpus: 32 short documents, 48 questions.

Each question names the document that answers it. `cross` marks questions asked in the other language
than their answer (an English question about a Chinese document, or the reverse): 18 of 48.
"""

from __future__ import annotations

from dataclasses import dataclass

DOCS: dict[str, str] = {
    "pump-x200.md": "The AquaFlow X200 water pump carries a seven-year warranty on the motor. The impeller is "
    "covered for two years. Registering the pump online within 30 days extends the motor warranty by one year.",
    "router-reset.md": "To factory-reset the NetLink R5 router, hold the recessed reset button for fifteen seconds "
    "until the status light blinks amber. All Wi-Fi settings and the admin password return to their defaults.",
    "expense-policy.md": "Employees may claim up to 60 euros per day for meals while travelling on company business. "
    "Receipts must be uploaded to the expense portal within ten working days of the trip.",
    "coffee-machine.md": "Descale the BrewMaster 3000 espresso machine every 200 cups or once a month. Use the "
    "citric acid tablets supplied in the box and run two rinse cycles with clean water afterwards.",
    "password-rules.md": "Company passwords must be at least 14 characters long and are rotated every 180 days. "
    "Multi-factor authentication with an authenticator app is mandatory for remote access.",
    "parking.md": "Staff parking is in garage B, levels 2 to 4. Electric vehicle chargers are on level 2 and may "
    "be used for at most four hours per car per day. Visitors park on level 1.",
    "solar-panel.md": "The SunCell 400 solar panel produces 400 watts at peak and keeps 90 percent of its output "
    "after 25 years. Panels should be cleaned with soft water twice a year to avoid dust losses.",
    "bike-maintenance.md": "Check the tyre pressure of a city bike weekly: 4 to 5 bar for narrow tyres. Lubricate "
    "the chain every 300 kilometres and after riding in the rain.",
    "sourdough.md": "A sourdough starter needs feeding every 12 hours at room temperature with equal weights of "
    "flour and water. Bake when it has doubled in size, usually four to six hours after a feed.",
    "onboarding.md": "New hires receive their laptop on the first day from the IT desk on floor 3. The buddy "
    "programme pairs every new employee with a colleague for their first eight weeks.",
    "data-retention.md": "Customer support tickets are kept for three years and then anonymised. Server access "
    "logs are deleted after 90 days unless a security investigation requires them.",
    "vacation.md": "Full-time employees get 28 days of paid vacation a year. Up to five unused days may be carried "
    "over into the next year; the rest expire on March 31.",
    "heat-pump.md": "The ThermaCore heat pump works down to minus 25 degrees Celsius outside. Its seasonal "
    "coefficient of performance is 4.1, and the outdoor unit needs 50 centimetres of free space around it.",
    "tea-ceremony.md": "In the gongfu tea method, oolong leaves are rinsed once with hot water, then steeped for "
    "only 20 to 30 seconds per infusion. The same leaves can be brewed six or seven times.",
    "printer-jam.md": "When the OfficeJet 9 printer reports a paper jam, open the rear access door, pull the sheet "
    "out slowly with both hands, and check the duplex unit for torn scraps.",
    "shipping.md": "Standard shipping within the EU takes three to five working days and is free above 50 euros. "
    "Express delivery arrives the next working day if ordered before 2 pm.",
    "退货政策.md": "本店商品在签收后三十天内可以无理由退货。退货商品需保持原包装完好，运费由顾客承担；如属质量问题，运费由本店承担。",
    "会员积分.md": "会员每消费一元累积一个积分，一百个积分可以抵扣一元现金。积分有效期为两年，过期自动清零。",
    "电池保养.md": "锂电池电动车在冬季应存放在零度以上的室内环境。长期不用时，请每隔一个月充电一次，并保持电量在百分之五十左右。",
    "空气净化器.md": "清风牌空气净化器的滤网建议每六个月更换一次。当指示灯变成红色时，表示滤网已经饱和，需要立即更换。",
    "年假制度.md": "公司员工工作满一年后享有十天带薪年假，工作满十年后增加到十五天。年假需提前两周在人事系统中申请。",
    "食品安全.md": "熟食在室温下放置不得超过两个小时。冰箱冷藏室温度应保持在零至四摄氏度之间，冷冻室应低于零下十八度。",
    "高铁行李.md": "乘坐高铁时，每位成人旅客可以免费携带二十公斤行李，单件物品长宽高之和不超过一百三十厘米。",
    "熊猫饮食.md": "大熊猫每天要花十几个小时进食，主要吃竹子，一只成年大熊猫每天可以吃掉十二到三十八公斤竹子。",
    "长城历史.md": "现存的明长城东起辽宁虎山，西至甘肃嘉峪关，全长约八千八百五十公里，大部分修建于明朝中后期。",
    "绿茶冲泡.md": "冲泡绿茶时水温以八十度左右为宜，过高的水温会烫熟茶叶，使茶汤变苦。第一泡浸泡约一分钟即可。",
    "报销流程.md": "出差结束后，员工须在十五个工作日内提交报销单，并附上发票原件。超过期限的报销申请财务部不予受理。",
    "数据备份.md": "公司服务器每天凌晨两点自动进行增量备份，每周日进行一次全量备份。备份数据保存在异地机房，保留六个月。",
    "洗衣机故障.md": "如果洗衣机显示错误代码E3，说明排水不畅。请先关闭电源，清理底部的排水过滤器，再重新启动。",
    "地铁换乘.md": "在人民广场站，一号线和二号线之间的换乘需要步行约五分钟。高峰时段请沿地面的黄色箭头指示通行。",
    "疫苗接种.md": "流感疫苗建议每年秋季接种一次，接种后约两周产生保护作用。六个月以上的儿童和老年人尤其应该接种。",
    "植物浇水.md": "多肉植物喜欢干燥，夏季每两周浇一次水即可，冬季每月一次。浇水要浇透，但盆底不能积水，否则根部容易腐烂。",
}


@dataclass(frozen=True)
class Question:
    text: str
    doc: str
    cross: bool = False


QUESTIONS: list[Question] = [
    # English questions about English documents
    Question("How long is the motor warranty on the X200 pump?", "pump-x200.md"),
    Question("How do I reset my router to factory settings?", "router-reset.md"),
    Question("What is the daily meal allowance when travelling for work?", "expense-policy.md"),
    Question("How often should the espresso machine be descaled?", "coffee-machine.md"),
    Question("What is the minimum password length?", "password-rules.md"),
    Question("Where can I charge my electric car at the office?", "parking.md"),
    Question("How much power does the SunCell panel produce?", "solar-panel.md"),
    Question("When should I oil my bicycle chain?", "bike-maintenance.md"),
    Question("How often do I feed a sourdough starter?", "sourdough.md"),
    Question("Who gives new employees their laptop?", "onboarding.md"),
    Question("How long are server access logs kept?", "data-retention.md"),
    Question("Can I carry unused vacation days into next year?", "vacation.md"),
    Question("What is the lowest outdoor temperature the heat pump handles?", "heat-pump.md"),
    Question("How long should oolong be steeped in gongfu style?", "tea-ceremony.md"),
    Question("The printer says paper jam, what do I do?", "printer-jam.md"),
    Question("When is shipping free?", "shipping.md"),
    # Chinese questions about Chinese documents
    Question("买的东西多少天内可以退货？", "退货政策.md"),
    Question("积分多久会过期？", "会员积分.md"),
    Question("冬天电动车电池应该怎么存放？", "电池保养.md"),
    Question("净化器滤网多久换一次？", "空气净化器.md"),
    Question("工作十年以后年假有几天？", "年假制度.md"),
    Question("冰箱冷冻室的温度应该是多少？", "食品安全.md"),
    Question("坐高铁可以带多重的行李？", "高铁行李.md"),
    Question("大熊猫一天吃多少竹子？", "熊猫饮食.md"),
    Question("明长城有多长？", "长城历史.md"),
    Question("泡绿茶用多少度的水？", "绿茶冲泡.md"),
    Question("出差报销要在几天内提交？", "报销流程.md"),
    Question("服务器什么时候做全量备份？", "数据备份.md"),
    Question("洗衣机出现E3错误怎么办？", "洗衣机故障.md"),
    Question("多肉植物夏天多久浇一次水？", "植物浇水.md"),
    # Chinese questions about English documents
    Question("X200水泵的电机保修几年？", "pump-x200.md", cross=True),
    Question("路由器怎么恢复出厂设置？", "router-reset.md", cross=True),
    Question("咖啡机多久需要除垢一次？", "coffee-machine.md", cross=True),
    Question("公司密码至少要多少位？", "password-rules.md", cross=True),
    Question("太阳能板二十五年后还剩多少发电能力？", "solar-panel.md", cross=True),
    Question("热泵在零下多少度还能工作？", "heat-pump.md", cross=True),
    Question("欧盟境内的标准快递要几天？", "shipping.md", cross=True),
    Question("每年有多少天带薪休假，没休完的假期可以保留吗？", "vacation.md", cross=True),
    Question("打印机卡纸了怎么处理？", "printer-jam.md", cross=True),
    # English questions about Chinese documents
    Question("Within how many days can I return a product?", "退货政策.md", cross=True),
    Question("How many points do I need for one yuan of discount?", "会员积分.md", cross=True),
    Question("How often should the air purifier filter be replaced?", "空气净化器.md", cross=True),
    Question("How long can cooked food stay at room temperature?", "食品安全.md", cross=True),
    Question("How much bamboo does a giant panda eat per day?", "熊猫饮食.md", cross=True),
    Question("What water temperature is best for green tea?", "绿茶冲泡.md", cross=True),
    Question("When is the flu vaccine recommended?", "疫苗接种.md", cross=True),
    Question("How long does it take to change lines at People's Square station?", "地铁换乘.md", cross=True),
    Question("What does error code E3 on a washing machine mean?", "洗衣机故障.md", cross=True),
]
